/**
 * Test support, not part of the build: three-day windows (zone, UTC start) that hold a DST
 * transition or an odd offset, for checks that compare the cached readers with Intl every few
 * minutes. Covers both hemispheres, 30-minute DST (Lord Howe), quarter-hour offsets (Kathmandu,
 * Chatham) and transitions at local midnight (Havana, Santiago), where a date starts at 01:00 or
 * 23:00 happens twice.
 */
export const TRANSITION_WINDOWS: readonly (readonly [zone: string, from: string])[] = [
  ['America/Denver', '2025-03-08T00:00:00Z'],
  ['America/Denver', '2025-11-01T00:00:00Z'],
  ['Europe/Berlin', '2025-03-29T00:00:00Z'],
  ['Australia/Lord_Howe', '2025-04-04T00:00:00Z'],
  ['Australia/Lord_Howe', '2025-10-03T00:00:00Z'],
  ['Asia/Kathmandu', '2025-06-01T00:00:00Z'],
  ['Pacific/Chatham', '2025-04-04T00:00:00Z'],
  ['America/Havana', '2025-03-08T00:00:00Z'],
  ['America/Santiago', '2025-04-04T00:00:00Z'],
  ['America/Santiago', '2025-09-05T00:00:00Z'],
];

/** Instants every `stepMs` from `from` for three days. */
export function* windowInstants(from: string, stepMs: number): Generator<number> {
  const start = Date.parse(from);
  for (let t = start; t < start + 3 * 86_400_000; t += stepMs) yield t;
}
