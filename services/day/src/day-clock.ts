/**
 * The offline day's clock: the wall clock, or a fast one from `anchor` (virtual = start +
 * (real − anchor) × speed, `start` by default the anchor), the same formula as the scheduler's, so
 * `forge up --fast` releases the 14:00 stories at the scheduler's 14:00 tick.
 */
export interface DayClock {
  readonly speed: number;
  now(): number;
}

export function dayClock(
  speed: number,
  anchor: Date | undefined,
  realNow: () => number = Date.now,
  start?: Date,
): DayClock {
  if (speed <= 1) return { speed: 1, now: realNow };
  const a = (anchor ?? new Date(realNow())).getTime();
  const s = start?.getTime() ?? a;
  return { speed, now: () => s + (realNow() - a) * speed };
}
