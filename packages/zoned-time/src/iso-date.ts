function parts(date: string): [number, number, number] {
  return date.split('-').map(Number) as [number, number, number];
}

/**
 * Adds `days` (negative to go back) to an ISO date (`YYYY-MM-DD`) in the proleptic Gregorian
 * calendar, not in any zone: a DST change never shifts the result.
 */
export function addDays(date: string, days: number): string {
  const [y, m, d] = parts(date);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** The weekday of an ISO date (`YYYY-MM-DD`): 0 for Monday through 6 for Sunday (ISO 8601 order). */
export function weekdayOf(date: string): number {
  const [y, m, d] = parts(date);
  return (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
}
