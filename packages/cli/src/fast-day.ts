import { LocalDates, zonedToUtc } from '@forge/zoned-time';

/** The zone a fast day's morning is read in when FORGE_DAY_TIME_ZONE is unset (the day server's default). */
export const FAST_DAY_TIME_ZONE = 'America/Denver';

/** A fast day starts at this local time of today, so a person watches the day from its morning. */
export const FAST_DAY_START_TIME = '06:00';

/**
 * The instant a `forge up --fast` day starts at: 06:00 of today's date in `timeZone`. The day's
 * data (tasks, posts, the ledger) keeps real timestamps; starting the virtual day on today's date
 * keeps the dates the schedules pass (the nightly entry's, the brief's) on the real day whose data
 * they read.
 */
export function fastDayStart(now: Date, timeZone: string): Date {
  return zonedToUtc(new LocalDates(timeZone).of(now.getTime()), FAST_DAY_START_TIME, timeZone);
}
