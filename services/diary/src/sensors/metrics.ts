import { z } from 'zod';

export const METRICS = ['temperature', 'humidity', 'vpd', 'co2'] as const;
export const Metric = z.enum(METRICS);
export type Metric = z.infer<typeof Metric>;

export const Unit = z.enum(['C', 'F', '%', 'kPa', 'ppm']);
export type Unit = z.infer<typeof Unit>;

export const GrowStage = z.enum(['clone', 'veg', 'early-flower', 'late-flower', 'dry']);
export type GrowStage = z.infer<typeof GrowStage>;

interface MetricInfo {
  /** How the metric is named in text. */
  label: string;
  /** The unit values are kept in, and the units accepted. */
  unit: Unit;
  accepts: readonly Unit[];
  /** Outside these, the sensor is broken, not the room. */
  physical: { min: number; max: number };
  decimals: number;
}

export const METRIC_INFO: Readonly<Record<Metric, MetricInfo>> = {
  temperature: {
    label: 'temperature',
    unit: 'C',
    accepts: ['C', 'F'],
    physical: { min: -40, max: 70 },
    decimals: 1,
  },
  humidity: { label: 'humidity', unit: '%', accepts: ['%'], physical: { min: 0, max: 100 }, decimals: 0 },
  vpd: { label: 'VPD', unit: 'kPa', accepts: ['kPa'], physical: { min: 0, max: 10 }, decimals: 2 },
  co2: { label: 'CO2', unit: 'ppm', accepts: ['ppm'], physical: { min: 0, max: 20_000 }, decimals: 0 },
};

export interface Band {
  min: number;
  max: number;
}

/**
 * Target bands by stage: common indoor cultivation practice (warmer and more humid for clones,
 * drier with higher VPD as flower ripens). Rooms override them per metric.
 */
export const STAGE_TARGETS: Readonly<Record<GrowStage, Readonly<Record<Metric, Band>>>> = {
  clone: {
    temperature: { min: 22, max: 27 },
    humidity: { min: 70, max: 85 },
    vpd: { min: 0.4, max: 0.8 },
    co2: { min: 400, max: 1000 },
  },
  veg: {
    temperature: { min: 22, max: 28 },
    humidity: { min: 55, max: 70 },
    vpd: { min: 0.8, max: 1.2 },
    co2: { min: 400, max: 1500 },
  },
  'early-flower': {
    temperature: { min: 20, max: 27 },
    humidity: { min: 45, max: 60 },
    vpd: { min: 1.0, max: 1.4 },
    co2: { min: 400, max: 1500 },
  },
  'late-flower': {
    temperature: { min: 18, max: 26 },
    humidity: { min: 35, max: 50 },
    vpd: { min: 1.2, max: 1.6 },
    co2: { min: 400, max: 1200 },
  },
  dry: {
    temperature: { min: 15, max: 21 },
    humidity: { min: 55, max: 65 },
    vpd: { min: 0.6, max: 1.0 },
    co2: { min: 300, max: 2000 },
  },
};

export const BandInput = z
  .object({ min: z.number().finite(), max: z.number().finite() })
  .refine((b) => b.min < b.max, { message: 'min must be below max', path: ['max'] });

export const ThresholdOverrides = z
  .object({ temperature: BandInput, humidity: BandInput, vpd: BandInput, co2: BandInput })
  .partial()
  .default({});

export const Reading = z.object({
  metric: Metric,
  value: z.number().finite(),
  /** Defaults to the metric's unit (C, %, kPa, ppm). */
  unit: Unit.optional(),
  at: z.iso.datetime({ offset: true }),
});
export type Reading = z.infer<typeof Reading>;

/** A reading in the metric's own unit, with its instant in epoch ms. */
export interface NormalReading {
  metric: Metric;
  value: number;
  at: number;
  derived: boolean;
}

/** Adds an issue naming the reading for each unit that does not belong to its metric. */
export function checkUnits(readings: readonly Reading[], ctx: z.RefinementCtx, path = 'readings'): void {
  readings.forEach((r, i) => {
    if (r.unit && !METRIC_INFO[r.metric].accepts.includes(r.unit)) {
      ctx.addIssue({
        code: 'custom',
        path: [path, i, 'unit'],
        message: `${r.unit} is not a unit of ${r.metric}`,
      });
    }
  });
}

/** Converts to the metric's unit (°F to °C); units must already be checked. */
export function normalize(reading: Reading): NormalReading {
  const value = reading.unit === 'F' ? ((reading.value - 32) * 5) / 9 : reading.value;
  return { metric: reading.metric, value, at: Date.parse(reading.at), derived: false };
}

/** The band for a metric: the room's override, else the stage default. */
export function bandFor(stage: GrowStage, metric: Metric, overrides: Partial<Record<Metric, Band>>): Band {
  return overrides[metric] ?? STAGE_TARGETS[stage][metric];
}

/** Saturation vapour pressure over water in kPa (Tetens), temperature in °C. */
function saturationKpa(celsius: number): number {
  return 0.6108 * Math.exp((17.27 * celsius) / (celsius + 237.3));
}

/**
 * Leaf vapour pressure deficit in kPa from air temperature (°C), relative humidity (%) and the
 * leaf's offset from air temperature (leaves under lights run about 1-3 °C cooler).
 */
export function leafVpd(airC: number, humidityPct: number, leafOffsetC: number): number {
  return saturationKpa(airC + leafOffsetC) - (saturationKpa(airC) * humidityPct) / 100;
}

/** A value as text in its unit, e.g. `1.62 kPa`, `24.5 °C`, `61%`. */
export function formatValue(metric: Metric, value: number): string {
  const info = METRIC_INFO[metric];
  const n = value.toFixed(info.decimals);
  if (info.unit === '%') return `${n}%`;
  return info.unit === 'C' ? `${n} °C` : `${n} ${info.unit}`;
}

/** A band as text, e.g. `0.80–1.20 kPa`. */
export function formatBand(metric: Metric, band: Band): string {
  const info = METRIC_INFO[metric];
  const unit = info.unit === '%' ? '%' : info.unit === 'C' ? ' °C' : ` ${info.unit}`;
  return `${band.min.toFixed(info.decimals)}–${band.max.toFixed(info.decimals)}${unit}`;
}
