import { isValidTimeZone, type WallTime } from '@forge/zoned-time';
import { z } from 'zod';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export const Weekday = z.enum(WEEKDAYS);

const ClockTime = z
  .string()
  .regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be HH:MM (00:00-23:59, or 24:00 as an end)');

function minutes(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/**
 * When a channel may post: on `days`, from `start` (inclusive) to `end` (exclusive), wall-clock
 * time in `timeZone`. An `end` earlier than `start` runs past midnight into the next day, and the
 * day named is the day the window opens.
 */
export const PostingWindow = z
  .object({
    timeZone: z.string().refine(isValidTimeZone, 'must be an IANA time zone such as America/Denver'),
    days: z.array(Weekday).min(1).max(7),
    start: ClockTime,
    end: ClockTime,
  })
  .superRefine((w, ctx) => {
    if (w.start === '24:00')
      ctx.addIssue({ code: 'custom', path: ['start'], message: 'a window cannot start at 24:00' });
    if (minutes(w.start) === minutes(w.end) % 1440 && w.end !== '24:00') {
      ctx.addIssue({ code: 'custom', path: ['end'], message: 'must differ from start' });
    }
    if (new Set(w.days).size !== w.days.length) {
      ctx.addIssue({ code: 'custom', path: ['days'], message: 'must not repeat a day' });
    }
  });
export type PostingWindow = z.infer<typeof PostingWindow>;

/** A window prepared for the scan: a bit per open weekday (Monday = bit 0) and minute bounds. */
export interface CompiledWindow {
  readonly days: number;
  readonly start: number;
  readonly end: number;
}

export function compileWindow(window: PostingWindow): CompiledWindow {
  const days = window.days.reduce((mask, d) => mask | (1 << WEEKDAYS.indexOf(d)), 0);
  return { days, start: minutes(window.start), end: minutes(window.end) };
}

/** Whether a wall-clock time falls inside the window. */
export function inWindow(window: CompiledWindow, wall: WallTime): boolean {
  const today = (window.days & (1 << wall.weekday)) !== 0;
  if (window.start < window.end)
    return today && wall.minuteOfDay >= window.start && wall.minuteOfDay < window.end;
  // Overnight: the evening part belongs to today, the early-morning part to yesterday's window.
  const yesterday = (window.days & (1 << ((wall.weekday + 6) % 7))) !== 0;
  return (today && wall.minuteOfDay >= window.start) || (yesterday && wall.minuteOfDay < window.end);
}
