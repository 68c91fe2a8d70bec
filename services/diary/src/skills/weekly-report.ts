import { addDays, isValidTimeZone, LocalDates, weekdayOf } from '@forge/zoned-time';
import { z } from 'zod';
import {
  bandFor,
  checkUnits,
  formatBand,
  formatValue,
  GrowStage,
  METRIC_INFO,
  METRICS,
  type Metric,
  normalize,
  Reading,
  ThresholdOverrides,
} from '../sensors/metrics.js';
import { dailyMeans, deriveVpd, type MetricStats, metricStats } from '../sensors/week-stats.js';

export const REPORT_PLACEHOLDERS = [
  'room',
  'stage',
  'weekStart',
  'weekEnd',
  'readingCount',
  'metricsTable',
  'dailyTable',
  'highlights',
  'notes',
] as const;

export const DEFAULT_REPORT_TEMPLATE = [
  '# Cultivation report: {room}, week of {weekStart}',
  '',
  'Stage: {stage}. {readingCount} readings, {weekStart} to {weekEnd}.',
  '',
  '| Metric | Min | Mean | Max | Target | In range | Excursions |',
  '| --- | --- | --- | --- | --- | --- | --- |',
  '{metricsTable}',
  '',
  '## Daily means',
  '',
  '{dailyTable}',
  '',
  '## Highlights',
  '',
  '{highlights}',
  '',
  '## Notes',
  '',
  '{notes}',
].join('\n');

export const WeeklyReportInput = z
  .object({
    room: z.string().trim().min(1).max(40),
    roomName: z.string().trim().min(1).max(80).optional(),
    stage: GrowStage,
    /** First local date of the report week. */
    weekStart: z.iso.date(),
    timeZone: z
      .string()
      .refine(isValidTimeZone, 'must be an IANA time zone such as America/Denver')
      .default('UTC'),
    readings: z.array(Reading).max(100_000),
    thresholds: ThresholdOverrides,
    notes: z.array(z.string().trim().min(1).max(500)).max(20).default([]),
    leafOffsetC: z.number().min(-10).max(5).default(-2),
    template: z
      .string()
      .min(1)
      .max(10_000)
      .refine(
        (t) =>
          [...t.matchAll(/\{(\w+)\}/g)].every((m) =>
            (REPORT_PLACEHOLDERS as readonly string[]).includes(m[1]!),
          ),
        `may only use the placeholders ${REPORT_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}`,
      )
      .default(DEFAULT_REPORT_TEMPLATE),
  })
  .superRefine((input, ctx) => checkUnits(input.readings, ctx));
export type WeeklyReportInput = z.input<typeof WeeklyReportInput>;

const Stats = z.object({
  count: z.number().int(),
  min: z.number(),
  max: z.number(),
  mean: z.number(),
  inRangePct: z.number(),
  excursions: z.number().int(),
  worst: z.object({ value: z.number(), at: z.iso.datetime() }).nullable(),
  derived: z.boolean(),
});

export const WeeklyReportOutput = z.object({
  /** The filled template (Markdown with the default template). */
  report: z.string(),
  weekStart: z.iso.date(),
  weekEnd: z.iso.date(),
  stats: z.record(z.enum(METRICS), Stats.nullable()),
  readingsUsed: z.number().int().nonnegative(),
  /** Readings whose local date falls outside the week; ignored. */
  readingsOutsideWeek: z.number().int().nonnegative(),
  /** Readings outside physical limits (sensor faults); ignored. */
  readingsRejected: z.number().int().nonnegative(),
});
export type WeeklyReportOutput = z.infer<typeof WeeklyReportOutput>;

const WEEKDAY_ABBREVIATIONS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** `Thu 2025-06-12` */
function dayLabel(date: string): string {
  return `${WEEKDAY_ABBREVIATIONS[weekdayOf(date)]} ${date}`;
}

function cell(metric: Metric, value: number | null): string {
  return value === null ? '–' : formatValue(metric, value);
}

function highlight(metric: Metric, stats: MetricStats | null, band: string, dates: LocalDates): string {
  const label = METRIC_INFO[metric].label;
  const capital = label.charAt(0).toUpperCase() + label.slice(1);
  if (!stats) return `- No ${label} readings this week.`;
  const derived = stats.derived ? ' (derived from temperature and humidity)' : '';
  if (!stats.worst) return `- ${capital}${derived} stayed within its ${band} target all week.`;
  const plural = stats.excursions === 1 ? 'excursion' : 'excursions';
  return (
    `- ${capital}${derived} was in range for ${stats.inRangePct}% of readings, with ${stats.excursions} ${plural}; ` +
    `the worst was ${formatValue(metric, stats.worst.value)} on ${dayLabel(dates.of(stats.worst.at))}.`
  );
}

/**
 * Fills the weekly cultivation report from a room's readings: per-metric min, mean, max, time in
 * band (share of readings), excursions and the worst reading; daily means by local date; and
 * highlights sentences. VPD is derived from paired temperature and humidity when no VPD sensor
 * reported that week. Deterministic: same readings, same report.
 */
export function weeklyReport(rawInput: WeeklyReportInput): WeeklyReportOutput {
  const input = WeeklyReportInput.parse(rawInput);
  const weekEnd = addDays(input.weekStart, 6);
  const dates = Array.from({ length: 7 }, (_, i) => addDays(input.weekStart, i));
  const local = new LocalDates(input.timeZone);
  const all = input.readings.map(normalize).map((r) => ({ ...r, date: local.of(r.at) }));
  const weekOnly = all.filter((r) => r.date >= input.weekStart && r.date <= weekEnd);
  // A reading outside physical limits is a broken sensor; it would poison means and extremes.
  const inWeek = weekOnly.filter((r) => {
    const p = METRIC_INFO[r.metric].physical;
    return r.value >= p.min && r.value <= p.max;
  });
  const hasVpd = inWeek.some((r) => r.metric === 'vpd');
  const used = hasVpd
    ? inWeek
    : [...inWeek, ...deriveVpd(inWeek, input.leafOffsetC).map((r) => ({ ...r, date: local.of(r.at) }))];

  const stats = {} as Record<Metric, MetricStats | null>;
  const rows: string[] = [];
  const highlights: string[] = [];
  for (const metric of METRICS) {
    const band = bandFor(input.stage, metric, input.thresholds);
    const s = metricStats(
      used.filter((r) => r.metric === metric),
      band,
    );
    stats[metric] = s;
    const label = METRIC_INFO[metric].label + (s?.derived ? ' (derived)' : '');
    rows.push(
      s
        ? `| ${label} | ${cell(metric, s.min)} | ${cell(metric, s.mean)} | ${cell(metric, s.max)} | ${formatBand(metric, band)} | ${s.inRangePct}% | ${s.excursions} |`
        : `| ${label} | – | – | – | ${formatBand(metric, band)} | – | – |`,
    );
    highlights.push(highlight(metric, s, formatBand(metric, band), local));
  }
  const daily = dailyMeans(used, dates);
  const dailyTable = [
    `| Day | ${METRICS.map((m) => METRIC_INFO[m].label).join(' | ')} |`,
    `| --- |${METRICS.map(() => ' --- |').join('')}`,
    ...daily.map((d) => `| ${dayLabel(d.date)} | ${METRICS.map((m) => cell(m, d.means[m])).join(' | ')} |`),
  ].join('\n');
  const values: Record<(typeof REPORT_PLACEHOLDERS)[number], string> = {
    room: input.roomName ?? `room ${input.room}`,
    stage: input.stage,
    weekStart: input.weekStart,
    weekEnd,
    readingCount: String(inWeek.length),
    metricsTable: rows.join('\n'),
    dailyTable,
    highlights: highlights.join('\n'),
    notes: input.notes.length ? input.notes.map((n) => `- ${n}`).join('\n') : '- None.',
  };
  const report = input.template.replace(
    /\{(\w+)\}/g,
    (whole, name: string) => values[name as keyof typeof values] ?? whole,
  );
  const toIso = (s: MetricStats | null) =>
    s && { ...s, worst: s.worst && { value: s.worst.value, at: new Date(s.worst.at).toISOString() } };
  return {
    report,
    weekStart: input.weekStart,
    weekEnd,
    stats: Object.fromEntries(METRICS.map((m) => [m, toIso(stats[m])])) as WeeklyReportOutput['stats'],
    readingsUsed: inWeek.length,
    readingsOutsideWeek: all.length - weekOnly.length,
    readingsRejected: weekOnly.length - inWeek.length,
  };
}

/** `diary.weekly-report`: the weekly cultivation report filled from sensor data. Plain code, $0. */
export const weeklyReportSkill = {
  id: 'weekly-report',
  name: 'Weekly report',
  description:
    "Fills the weekly cultivation report template from a room's sensor readings: min/mean/max, time in " +
    'target, excursions, worst reading, daily means, highlights and notes.',
  tags: ['cultivation', 'report', 'template'],
  examples: [
    '{"room": "4", "stage": "veg", "weekStart": "2025-06-09", "readings": [{"metric": "temperature", "value": 25, "at": "2025-06-09T12:00:00Z"}]}',
  ],
  tier: 'tool' as const,
  input: WeeklyReportInput,
  output: WeeklyReportOutput,
  handler: async (input: z.output<typeof WeeklyReportInput>): Promise<WeeklyReportOutput> =>
    weeklyReport(input),
};
