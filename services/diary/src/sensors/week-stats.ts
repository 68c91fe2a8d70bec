import { type Band, leafVpd, METRICS, type Metric, type NormalReading } from './metrics.js';

/** Temperature and humidity further apart than this are not paired into a VPD. */
const PAIR_WINDOW_MS = 10 * 60_000;

export interface MetricStats {
  count: number;
  min: number;
  max: number;
  mean: number;
  /** Share of readings inside the band, 0-100, one decimal. */
  inRangePct: number;
  /** Runs of consecutive out-of-band readings. */
  excursions: number;
  /** The reading furthest outside the band, or null when none left it. */
  worst: { value: number; at: number } | null;
  derived: boolean;
}

/** Leaf VPD for each temperature reading that has a humidity reading within 10 minutes (nearest wins). */
export function deriveVpd(readings: readonly NormalReading[], leafOffsetC: number): NormalReading[] {
  const temps = readings.filter((r) => r.metric === 'temperature').sort((a, b) => a.at - b.at);
  const hums = readings.filter((r) => r.metric === 'humidity').sort((a, b) => a.at - b.at);
  const out: NormalReading[] = [];
  let j = 0;
  for (const t of temps) {
    while (j + 1 < hums.length && Math.abs(hums[j + 1]!.at - t.at) <= Math.abs(hums[j]!.at - t.at)) j++;
    const h = hums[j];
    if (!h || Math.abs(h.at - t.at) > PAIR_WINDOW_MS) continue;
    if (h.value < 0 || h.value > 100) continue;
    out.push({ metric: 'vpd', value: leafVpd(t.value, h.value, leafOffsetC), at: t.at, derived: true });
  }
  return out;
}

/** Statistics of one metric's readings against its band; null without readings. */
export function metricStats(readings: readonly NormalReading[], band: Band): MetricStats | null {
  if (readings.length === 0) return null;
  const sorted = [...readings].sort((a, b) => a.at - b.at);
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  let inRange = 0;
  let excursions = 0;
  let outside = false;
  let worst: MetricStats['worst'] = null;
  let worstBy = 0;
  for (const r of sorted) {
    min = Math.min(min, r.value);
    max = Math.max(max, r.value);
    sum += r.value;
    const by = r.value > band.max ? r.value - band.max : band.min - r.value;
    if (by <= 0) {
      inRange++;
      outside = false;
      continue;
    }
    if (!outside) excursions++;
    outside = true;
    if (by > worstBy) {
      worstBy = by;
      worst = { value: r.value, at: r.at };
    }
  }
  return {
    count: sorted.length,
    min,
    max,
    mean: sum / sorted.length,
    inRangePct: Math.round((inRange / sorted.length) * 1000) / 10,
    excursions,
    worst,
    derived: sorted.some((r) => r.derived),
  };
}

/** Mean per metric per local date, for the dates given (null where a metric has no reading). */
export function dailyMeans(
  readings: readonly (NormalReading & { date: string })[],
  dates: readonly string[],
): { date: string; means: Record<Metric, number | null> }[] {
  const sums = new Map<string, { sum: number; n: number }>();
  for (const r of readings) {
    const key = `${r.date}|${r.metric}`;
    const s = sums.get(key) ?? { sum: 0, n: 0 };
    s.sum += r.value;
    s.n++;
    sums.set(key, s);
  }
  return dates.map((date) => {
    const means = {} as Record<Metric, number | null>;
    for (const m of METRICS) {
      const s = sums.get(`${date}|${m}`);
      means[m] = s ? s.sum / s.n : null;
    }
    return { date, means };
  });
}
