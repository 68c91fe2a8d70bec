const MONTH_NAMES =
  'january february march april may june july august september october november december'.split(' ');

/** 1-12 for a month's full name, its three-letter abbreviation, or `sept`; null otherwise. */
function monthNumber(name: string): number | null {
  const lower = name.toLowerCase();
  const index = MONTH_NAMES.findIndex((full) => full === lower || full.slice(0, 3) === lower);
  if (index !== -1) return index + 1;
  return lower === 'sept' ? 9 : null;
}

/** RFC 822 zone names, in minutes east of UTC. Military letters other than Z are unreliable (RFC 2822 §4.3). */
const ZONES: Record<string, number> = {
  ut: 0,
  utc: 0,
  gmt: 0,
  z: 0,
  est: -300,
  edt: -240,
  cst: -360,
  cdt: -300,
  mst: -420,
  mdt: -360,
  pst: -480,
  pdt: -420,
  akst: -540,
  akdt: -480,
  hst: -600,
  cet: 60,
  cest: 120,
  bst: 60,
  ist: 330,
};

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

// [weekday,] day month year hour:minute[:second] [zone]; the weekday is ignored (feeds get it wrong).
const RFC822 =
  /^(?:[a-z]{2,9}\.?,?\s*)?(\d{1,2})[\s-]+([a-z]{3,9})\.?[\s-]+(\d{2}|\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([a-z]{1,5}|[+-]\d{4}|[+-]\d{2}:\d{2}))?)?$/i;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function build(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  millis: number,
  offsetMinutes: number,
): string | null {
  // Date.UTC maps years 0-99 to 19xx; no feed item is that old, so such a year is an error.
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  // 24:00 is not accepted: feeds never mean it and it hides a day roll.
  if (hour > 23 || minute > 59 || second > 60) return null;
  const utc =
    Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59), millis) - offsetMinutes * 60_000;
  const date = new Date(utc);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

function offsetOf(zone: string | undefined): number | null {
  if (!zone) return 0;
  const named = ZONES[zone.toLowerCase()];
  if (named !== undefined) return named;
  const numeric = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (!numeric) return zone.length === 1 ? 0 : null;
  const hours = Number(numeric[2]);
  const minutes = Number(numeric[3] ?? '0');
  if (hours > 14 || minutes > 59) return null;
  return (numeric[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

/**
 * Parses the dates feeds carry: ISO 8601 / RFC 3339 (Atom, `dc:date`) and RFC 822 / 1123
 * (RSS `pubDate`), with named US zones, numeric offsets, two-digit years (< 50 is 20xx) and
 * full month names. A date without a zone is taken as UTC. Returns an ISO 8601 UTC string,
 * or null when the text is not a real date (month 13, 31 April, 25:00).
 */
export function parseFeedDate(text: string): string | null {
  const value = text.trim();
  if (!value) return null;
  const iso = ISO.exec(value);
  if (iso) {
    const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = iso;
    const offset = offsetOf(zone === undefined ? undefined : zone.toUpperCase() === 'Z' ? 'Z' : zone);
    if (offset === null) return null;
    const millis = Number(frac.padEnd(3, '0').slice(0, 3) || '0');
    return build(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s), millis, offset);
  }
  const rfc = RFC822.exec(value.replace(/\s+/g, ' '));
  if (!rfc) return null;
  const [, d, monthName = '', y = '', h = '0', mi = '0', s = '0', zone] = rfc;
  const month = monthNumber(monthName);
  if (month === null) return null;
  const offset = offsetOf(zone);
  if (offset === null) return null;
  let year = Number(y);
  if (y.length === 2) year += year < 50 ? 2000 : 1900;
  return build(year, month, Number(d), Number(h), Number(mi), Number(s), 0, offset);
}
