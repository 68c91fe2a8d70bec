/** When a crashed service is started again, and when `forge up` stops trying. */
export interface RestartPolicy {
  /** Delay before the first restart; doubles with each crash in the window. */
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** Give up after this many crashes within `windowMs`. */
  readonly maxCrashes: number;
  readonly windowMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  initialDelayMs: 500,
  maxDelayMs: 10_000,
  maxCrashes: 5,
  windowMs: 60_000,
};

export type RestartDecision =
  | { readonly restart: true; readonly delayMs: number; readonly crashes: number }
  | { readonly restart: false; readonly crashes: number };

/**
 * Decides after a crash at `now`, given the times of earlier crashes (this one included).
 * Crashes older than the window are forgotten, so a service that crashes once a day restarts
 * forever, with the shortest delay each time.
 */
export function decideRestart(
  crashTimes: readonly number[],
  now: number,
  policy: RestartPolicy,
): RestartDecision {
  const recent = crashTimes.filter((time) => now - time < policy.windowMs).length;
  if (recent >= policy.maxCrashes) return { restart: false, crashes: recent };
  const delayMs = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, recent - 1));
  return { restart: true, delayMs, crashes: recent };
}
