import type { LoopResult } from './open-loop.js';

/** The p-th percentile (0–100) of `values` by nearest rank; NaN when there are none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** p50, p90, p99 and max of one run's latencies, in ms, with what the run achieved. */
export interface LatencySummary {
  calls: number;
  errors: number;
  firstError?: string | undefined;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Answered calls per second over the run. */
  achievedPerSec: number;
}

export function summarizeLoop(result: LoopResult): LatencySummary {
  const sorted = [...result.latenciesMs].sort((a, b) => a - b);
  return {
    calls: result.scheduled,
    errors: result.errors,
    ...(result.firstError === undefined ? {} : { firstError: result.firstError }),
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    achievedPerSec: result.latenciesMs.length / (result.elapsedMs / 1000),
  };
}
