const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    // en-CA formats dates as YYYY-MM-DD.
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether the runtime knows `timeZone` as an IANA zone (or UTC). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/**
 * Local calendar dates of instants in one zone. Cached per 15-minute bucket: local midnight
 * falls on a quarter hour UTC in every zone, so a bucket never spans two dates.
 */
export class LocalDates {
  private readonly cache = new Map<number, string>();

  constructor(private readonly timeZone: string) {}

  of(epochMs: number): string {
    const bucket = Math.floor(epochMs / 900_000);
    let date = this.cache.get(bucket);
    if (date === undefined) {
      date = formatter(this.timeZone).format(new Date(bucket * 900_000));
      this.cache.set(bucket, date);
    }
    return date;
  }
}

/** Adds `days` to an ISO date (YYYY-MM-DD) in the calendar. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

const WEEKDAY = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** `Thu 2025-06-12` */
export function dayLabel(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return `${WEEKDAY[new Date(Date.UTC(y, m - 1, d)).getUTCDay()]} ${date}`;
}
