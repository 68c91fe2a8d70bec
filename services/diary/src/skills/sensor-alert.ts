import type { SkillContext } from '@forge/agent-kit';
import { z } from 'zod';
import {
  bandFor,
  checkUnits,
  formatBand,
  formatValue,
  GrowStage,
  leafVpd,
  METRIC_INFO,
  METRICS,
  Metric,
  type NormalReading,
  normalize,
  Reading,
  ThresholdOverrides,
} from '../sensors/metrics.js';

/** Temperature and humidity further apart than this do not make a VPD together. */
const PAIR_WINDOW_MS = 10 * 60_000;
/** Past the band by more than this share of the band's width is critical. */
const CRITICAL_SHARE = 0.5;

export const SensorAlertInput = z
  .object({
    /** Room id as the sensors know it, e.g. `4`. */
    room: z.string().trim().min(1).max(40),
    /** How the room is named in text; `room <id>` when absent. */
    roomName: z.string().trim().min(1).max(80).optional(),
    stage: GrowStage.default('veg'),
    readings: z.array(Reading).min(1).max(5000),
    thresholds: ThresholdOverrides,
    /** A metric whose latest reading is older than this is reported stale. */
    staleAfterMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(30),
    /** Leaf temperature minus air temperature, °C, for VPD derived from temperature and humidity. */
    leafOffsetC: z.number().min(-10).max(5).default(-2),
  })
  .superRefine((input, ctx) => checkUnits(input.readings, ctx));
export type SensorAlertInput = z.input<typeof SensorAlertInput>;

export const Severity = z.enum(['none', 'warning', 'critical']);

export const SensorAlert = z.object({
  metric: Metric,
  kind: z.enum(['out-of-range', 'stale', 'sensor-fault']),
  severity: z.enum(['warning', 'critical']),
  /** In the metric's unit (°C, %, kPa, ppm). */
  value: z.number(),
  min: z.number().nullable(),
  max: z.number().nullable(),
  /** True for VPD computed from temperature and humidity. */
  derived: z.boolean(),
  at: z.iso.datetime(),
  text: z.string(),
});

export const SensorAlertOutput = z.object({
  room: z.string(),
  severity: Severity,
  alerts: z.array(SensorAlert),
  /** One line per alert, or null when all is well: what goes to the operator's phone. */
  text: z.string().nullable(),
  checkedAt: z.iso.datetime(),
});
export type SensorAlertOutput = z.infer<typeof SensorAlertOutput>;
type Alert = z.infer<typeof SensorAlert>;

function latestByMetric(readings: readonly NormalReading[]): Map<Metric, NormalReading> {
  const latest = new Map<Metric, NormalReading>();
  for (const r of readings) {
    const seen = latest.get(r.metric);
    if (!seen || r.at > seen.at) latest.set(r.metric, r);
  }
  return latest;
}

function minutesAgo(now: number, at: number): number {
  return Math.round((now - at) / 60_000);
}

/**
 * Turns a room's readings into alerts: the latest reading of each metric is checked against the
 * stage's band (or the room's override); a value past the band by more than half its width is
 * critical. VPD is derived from temperature and humidity when no VPD sensor reported. A reading
 * outside physical limits is a sensor fault, not a room problem; an old one is stale. Pure given `now`.
 */
export function sensorAlert(rawInput: SensorAlertInput, now: Date): SensorAlertOutput {
  const input = SensorAlertInput.parse(rawInput);
  const name = input.roomName ?? `room ${input.room}`;
  const nowMs = now.getTime();
  const readings = input.readings.map(normalize);
  const latest = latestByMetric(readings);
  const alerts: Alert[] = [];

  const temperature = latest.get('temperature');
  const humidity = latest.get('humidity');
  const sane = (r: NormalReading) => {
    const p = METRIC_INFO[r.metric].physical;
    return r.value >= p.min && r.value <= p.max;
  };
  if (
    !latest.has('vpd') &&
    temperature &&
    humidity &&
    sane(temperature) &&
    sane(humidity) &&
    Math.abs(temperature.at - humidity.at) <= PAIR_WINDOW_MS
  ) {
    const value = leafVpd(temperature.value, humidity.value, input.leafOffsetC);
    latest.set('vpd', { metric: 'vpd', value, at: Math.min(temperature.at, humidity.at), derived: true });
  }

  for (const metric of METRICS) {
    const r = latest.get(metric);
    if (!r) continue;
    const label = METRIC_INFO[metric].label;
    const at = new Date(r.at).toISOString();
    const base = { metric, value: r.value, derived: r.derived, at };
    if (!sane(r)) {
      alerts.push({
        ...base,
        kind: 'sensor-fault',
        severity: 'warning',
        min: null,
        max: null,
        text: `${name} ${label} sensor reports an impossible ${formatValue(metric, r.value)}; check the sensor`,
      });
      continue;
    }
    const age = minutesAgo(nowMs, r.at);
    if (age > input.staleAfterMinutes) {
      alerts.push({
        ...base,
        kind: 'stale',
        severity: 'warning',
        min: null,
        max: null,
        text: `${name} ${label} has not reported for ${age} minutes`,
      });
      continue;
    }
    const band = bandFor(input.stage, metric, input.thresholds);
    if (r.value >= band.min && r.value <= band.max) continue;
    const high = r.value > band.max;
    const past = high ? r.value - band.max : band.min - r.value;
    alerts.push({
      ...base,
      kind: 'out-of-range',
      severity: past > (band.max - band.min) * CRITICAL_SHARE ? 'critical' : 'warning',
      min: band.min,
      max: band.max,
      text:
        `${name} ${label} is out of range: ${formatValue(metric, r.value)}${r.derived ? ' (derived)' : ''} is ` +
        `${high ? 'above' : 'below'} the ${formatBand(metric, band)} target for ${input.stage}`,
    });
  }

  const severity = alerts.some((a) => a.severity === 'critical')
    ? 'critical'
    : alerts.length
      ? 'warning'
      : 'none';
  return {
    room: input.room,
    severity,
    alerts,
    text: alerts.length
      ? alerts.map((a) => (a.severity === 'critical' ? `CRITICAL: ${a.text}` : a.text)).join('\n')
      : null,
    checkedAt: now.toISOString(),
  };
}

/**
 * Runs {@link sensorAlert} on the clock and, when something is wrong, publishes a `sensor-alert`
 * event (room, severity, text) so the console and the operator's phone see it without polling.
 */
export async function sensorAlertHandler(
  input: z.output<typeof SensorAlertInput>,
  ctx: Pick<SkillContext, 'emit'>,
): Promise<SensorAlertOutput> {
  const out = sensorAlert(input, new Date());
  if (out.severity !== 'none') {
    await ctx.emit('sensor-alert', {
      room: out.room,
      severity: out.severity,
      text: out.text,
      metrics: out.alerts.map((a) => a.metric),
    });
  }
  return out;
}

/** `diary.sensor-alert`: sensor readings in, alert text (or none) out. Plain code, $0. */
export const sensorAlertSkill = {
  id: 'sensor-alert',
  name: 'Sensor alert',
  description:
    "Checks a grow room's latest temperature, humidity, VPD and CO2 readings against its stage targets " +
    'and returns alert text like "room 4 VPD is out of range" with severity, or none.',
  tags: ['cultivation', 'sensors', 'alerts'],
  examples: [
    '{"room": "4", "stage": "veg", "readings": [{"metric": "vpd", "value": 1.6, "at": "2025-06-10T12:00:00Z"}]}',
  ],
  tier: 'tool' as const,
  input: SensorAlertInput,
  output: SensorAlertOutput,
  handler: sensorAlertHandler,
};
