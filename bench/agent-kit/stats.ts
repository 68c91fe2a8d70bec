/** The q-quantile (0..1) of sorted values, nearest-rank. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export interface LatencyStats {
  calls: number;
  errors: number;
  callsPerSec: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

export function summarize(latenciesMs: number[], errors: number, elapsedMs: number): LatencyStats {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    calls: latenciesMs.length,
    errors,
    callsPerSec: round(latenciesMs.length / (elapsedMs / 1000), 1),
    p50Ms: round(quantile(sorted, 0.5)),
    p90Ms: round(quantile(sorted, 0.9)),
    p99Ms: round(quantile(sorted, 0.99)),
    maxMs: round(sorted.at(-1) ?? Number.NaN),
  };
}

export function round(value: number, digits = 2): number {
  return Number(value.toFixed(digits));
}
