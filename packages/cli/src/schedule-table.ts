import type { ScheduleRunView, ScheduleView } from '@forge/contracts';

/** `Jun 10 14:30 MDT`: an instant on the schedule's own wall clock. */
export function localTime(iso: string | null, timeZone: string): string {
  if (iso === null) return '-';
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    month: 'short',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).formatToParts(new Date(iso));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('month')} ${get('day')} ${get('hour')}:${get('minute')} ${get('timeZoneName')}`;
}

/** One line for a run: when, how it was triggered, and what became of it. */
export function runLine(run: ScheduleRunView | null, timeZone: string): string {
  if (run === null) return 'never';
  const when = localTime(run.tickAt, timeZone);
  const trigger = run.trigger === 'tick' ? '' : ` (${run.trigger})`;
  if (run.outcome !== 'submitted') return `${when}${trigger} ${run.outcome}`;
  const state = run.state ?? 'submitted';
  const error = run.error ? `: ${run.error.code}` : '';
  return `${when}${trigger} ${state}${run.tier ? ` at ${run.tier}` : ''}${error}`;
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** The table `forge schedule list` prints. */
export function scheduleTable(schedules: readonly ScheduleView[], header: string): string[] {
  const rows = schedules.map((s) => [
    s.name,
    s.cron,
    s.skill + (s.skillRegistered ? '' : ' (missing)'),
    s.tier ?? '-',
    s.paused ? `paused by ${s.pausedBy}` : localTime(s.nextRunAt, s.timeZone),
    runLine(s.lastRun, s.timeZone),
  ]);
  const titles = ['schedule', 'cron', 'skill', 'tier', 'next run', 'last run'];
  const widths = titles.map((t, i) => Math.max(t.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : pad(c, widths[i]!)))
      .join('  ')
      .trimEnd();
  const waiting = schedules.filter((s) => !s.skillRegistered);
  return [
    header,
    line(titles),
    ...rows.map(line),
    ...(waiting.length
      ? [
          `${waiting.length} schedule(s) wait for a skill no running agent offers: their ticks are skipped and recorded.`,
        ]
      : []),
  ];
}
