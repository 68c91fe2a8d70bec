/**
 * The time the scheduler ticks by. `real` is the wall clock. A fast clock runs `speed` times faster
 * from `anchor` (virtual = start + (real − anchor) × speed, `start` the virtual instant at the real
 * `anchor`, by default the same), so `forge up --fast` shows a day in minutes from its morning;
 * the offline day's server runs the same clock, so the stories of 14:00 appear at the 14:00 tick.
 * Tick state is kept per clock id, so a fast day never moves the real day's ticks.
 */
export interface SchedulerClock {
  /** `real`, or `fast@<anchor ISO>`: the key of this clock's tick state. */
  readonly id: string;
  /** `real`, or `fast ×360`. */
  readonly label: string;
  readonly speed: number;
  /** The scheduler's now. */
  now(): Date;
  /** Real milliseconds from now until the scheduler's clock reaches `at` (0 when past). */
  realDelayUntil(at: Date): number;
  /** A span of the scheduler's time in real milliseconds. */
  realSpan(ms: number): number;
}

export function realClock(now: () => number = Date.now): SchedulerClock {
  return {
    id: 'real',
    label: 'real',
    speed: 1,
    now: () => new Date(now()),
    realDelayUntil: (at) => Math.max(0, at.getTime() - now()),
    realSpan: (ms) => ms,
  };
}

export function fastClock(
  speed: number,
  anchor: Date,
  now: () => number = Date.now,
  start: Date = anchor,
): SchedulerClock {
  const a = anchor.getTime();
  const s = start.getTime();
  const virtual = () => s + (now() - a) * speed;
  return {
    id: `fast@${anchor.toISOString()}`,
    label: `fast ×${speed}`,
    speed,
    now: () => new Date(virtual()),
    realDelayUntil: (at) => Math.max(0, (at.getTime() - virtual()) / speed),
    realSpan: (ms) => ms / speed,
  };
}
