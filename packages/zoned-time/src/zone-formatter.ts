const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * The one `Intl.DateTimeFormat` per zone that every reading here goes through: numeric year,
 * two-digit month to second, 24-hour clock (`h23`, so midnight is 00, never 24). Building a
 * formatter costs far more than using one, so each zone's is made once and kept for the process.
 * Throws `RangeError` for a zone the runtime does not know; nothing is cached then.
 */
export function zoneFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock fields of an instant in a zone, as numbers (month 1–12). */
export interface WallFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** Reads the wall-clock fields of `epochMs` in `timeZone` from the tz database. */
export function wallFields(timeZone: string, epochMs: number): WallFields {
  const parts: Record<string, number> = {};
  for (const p of zoneFormatter(timeZone).formatToParts(new Date(epochMs))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
  };
}
