/** Summary of one path over all measured rounds. */
export interface PathStats {
  tasks: number;
  tasksPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Deliveries after the first (should be 0 in a healthy run). */
  redeliveries: number;
}

/** The q-quantile (0..1) of sorted values, nearest-rank. */
export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export function summarize(latenciesMs: number[], elapsedMs: number, redeliveries: number): PathStats {
  const sorted = Float64Array.from(latenciesMs).sort();
  return {
    tasks: latenciesMs.length,
    tasksPerSec: latenciesMs.length / (elapsedMs / 1000),
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
    redeliveries,
  };
}

/** Rounds to `digits` significant decimals for printing and the JSON line. */
export function round(value: number, digits = 3): number {
  return Number(value.toFixed(digits));
}
