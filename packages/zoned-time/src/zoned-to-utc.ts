import { offsetMinutes } from './offset-minutes.js';

const DAY_MS = 86_400_000;

/**
 * The UTC instant of a wall-clock date (`YYYY-MM-DD`) and time (`HH:MM`) in a zone. A time that
 * a spring-forward skips resolves to the instant the clocks jump to plus its distance past the
 * jump (02:30 in a 02:00→03:00 gap becomes 03:30 local); a time a fall-back repeats resolves to
 * its first (earlier) occurrence. Inputs are trusted to be well-formed: validate them at the edge.
 */
export function zonedToUtc(date: string, time: string, timeZone: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const [hh, mm] = time.split(':').map(Number) as [number, number];
  const wall = Date.UTC(y, m - 1, d, hh, mm);
  // The offset before and after any transition near this wall time; try the earlier one first.
  const offsets = [offsetMinutes(timeZone, wall - DAY_MS), offsetMinutes(timeZone, wall + DAY_MS)];
  const candidates = [...new Set(offsets)]
    .map((o) => wall - o * 60_000)
    .filter((t) => t - wall === -offsetMinutes(timeZone, t) * 60_000)
    .sort((a, b) => a - b);
  if (candidates[0] !== undefined) return new Date(candidates[0]);
  // Skipped by a spring-forward: keep the wall time's distance from the jump.
  return new Date(wall - Math.min(...offsets) * 60_000);
}
