import { monthStart } from '@forge/ledger-views';
import { z } from 'zod';

/**
 * Where a `forge costs` window starts: a number of days back from now, an instant, or (the
 * default) the start of the current UTC month.
 */
export type Since =
  | { readonly kind: 'days'; readonly days: number }
  | { readonly kind: 'hours'; readonly hours: number }
  | { readonly kind: 'at'; readonly at: Date }
  | { readonly kind: 'month-start' };

const MAX_DAYS = 3660;
const DAY_MS = 86_400_000;

/**
 * `--since`: `7d` (the last 7 × 24 hours), a UTC date `2026-11-01` (its midnight), or an ISO
 * date-time with an offset (`2026-11-01T08:00:00Z`). Anything else fails naming the forms.
 */
export const SinceText = z.string().transform((text, ctx): Since => {
  const days = /^(\d{1,4})d$/.exec(text);
  if (days) {
    const n = Number(days[1]);
    if (n >= 1 && n <= MAX_DAYS) return { kind: 'days', days: n };
    ctx.addIssue({ code: 'custom', message: `must be 1d to ${MAX_DAYS}d` });
    return z.NEVER;
  }
  const isDate = z.iso.date().safeParse(text).success;
  const isDateTime = z.iso.datetime({ offset: true }).safeParse(text).success;
  if (isDate || isDateTime) {
    const at = new Date(isDate ? `${text}T00:00:00Z` : text);
    if (!Number.isNaN(at.getTime())) return { kind: 'at', at };
  }
  ctx.addIssue({
    code: 'custom',
    message: 'must be a number of days (7d), a date (2026-11-01) or an ISO date-time',
  });
  return z.NEVER;
});

const MAX_HOURS = 24 * MAX_DAYS;

/**
 * `--since` of `forge partners`: the forms of {@link SinceText} and also a number of hours
 * (`24h`, the last 24 × 60 minutes).
 */
export const SinceOrHoursText = z.string().transform((text, ctx): Since => {
  const hours = /^(\d{1,5})h$/.exec(text);
  if (hours) {
    const n = Number(hours[1]);
    if (n >= 1 && n <= MAX_HOURS) return { kind: 'hours', hours: n };
    ctx.addIssue({ code: 'custom', message: `must be 1h to ${MAX_HOURS}h` });
    return z.NEVER;
  }
  const parsed = SinceText.safeParse(text);
  if (parsed.success) return parsed.data;
  ctx.addIssue({
    code: 'custom',
    message: 'must be a number of hours (24h) or days (7d), a date (2026-11-01) or an ISO date-time',
  });
  return z.NEVER;
});

export { monthStart };

/** The instant a window starts, relative to `now`. */
export function resolveSince(since: Since, now: Date): Date {
  switch (since.kind) {
    case 'days':
      return new Date(now.getTime() - since.days * DAY_MS);
    case 'hours':
      return new Date(now.getTime() - since.hours * 3_600_000);
    case 'at':
      return since.at;
    case 'month-start':
      return monthStart(now);
    default: {
      const never: never = since;
      return never;
    }
  }
}
