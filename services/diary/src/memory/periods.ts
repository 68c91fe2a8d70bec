import { addDays, LocalDates, weekdayOf, zonedToUtc } from '@forge/zoned-time';

/** [from, to) in UTC of local dates [startDate, endDate) in `timeZone`. */
export function localRange(
  startDate: string,
  endDateExclusive: string,
  timeZone: string,
): { from: string; to: string } {
  return {
    from: zonedToUtc(startDate, '00:00', timeZone).toISOString(),
    to: zonedToUtc(endDateExclusive, '00:00', timeZone).toISOString(),
  };
}

/** The local date of `now` in `timeZone`. */
export function localToday(now: Date, timeZone: string): string {
  return new LocalDates(timeZone).of(now.getTime());
}

/** The Monday of the week before the one `now` falls in (the week a Monday synthesis looks back on). */
export function lastWeekMonday(now: Date, timeZone: string): string {
  const today = localToday(now, timeZone);
  return addDays(today, -weekdayOf(today) - 7);
}

export { addDays };
