import { type CostReport, type CostTotals, usd } from '@forge/ledger-views';

const money = (micros: number | null) => (micros === null ? '-' : usd(micros));

function table(title: string, rows: { label: string; sums: CostTotals }[]): string[] {
  if (rows.length === 0) return [];
  const head = [title, 'calls', 'offline', 'spend', 'shadow (offline)', 'all-frontier'];
  const body = rows.map(({ label, sums }) => [
    label,
    String(sums.calls),
    String(sums.offlineCalls),
    money(sums.spendMicros),
    money(sums.shadowMicros),
    money(sums.allFrontierMicros),
  ]);
  const widths = head.map((cell, i) => Math.max(cell.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    `  ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')}`;
  return [line(head), ...body.map(line), ''];
}

/** `forge costs` without `--json`: the totals, three tables, then the month and the baseline. */
export function formatCostReport(report: CostReport, brain: string): string[] {
  const t = report.totals;
  const m = report.monthToDate;
  const f = report.allFrontier;
  const lines = [
    `brain ${brain}: costs from ${report.since} to ${report.until} (policy ${report.policyVersion})`,
    `  spend ${usd(t.spendMicros)} over ${t.calls} model call${t.calls === 1 ? '' : 's'}` +
      (t.offlineCalls > 0
        ? `; offline: ${t.offlineCalls} call${t.offlineCalls === 1 ? '' : 's'}, shadow ${usd(t.shadowMicros)} (list price of the stand-ins, not charged, not in spend)`
        : ''),
    '',
    ...table(
      'tier',
      report.byTier.map(({ tier, ...sums }) => ({ label: tier, sums })),
    ),
    ...table(
      'agent',
      report.byAgent.map(({ agent, ...sums }) => ({ label: agent, sums })),
    ),
    ...table(
      'day (UTC)',
      report.byDay.map(({ day, ...sums }) => ({ label: day, sums })),
    ),
    `  month to date (${m.month}, day ${m.daysElapsed.toFixed(2)} of ${m.daysInMonth}): spend ${usd(m.spendMicros)}, ` +
      `projected month end ${usd(m.projectedSpendMicros)}` +
      (m.budgetMicros === null ? '' : ` of a ${usd(m.budgetMicros)} budget`) +
      (m.shadowMicros > 0
        ? `; shadow ${usd(m.shadowMicros)}, projected ${usd(m.projectedShadowMicros)}`
        : ''),
  ];
  if (f.model === null) {
    lines.push('  all-frontier baseline: the frontier tier has no priced model in the routing config');
  } else {
    lines.push(
      `  all-frontier baseline (every call's tokens at ${f.model}): ${money(f.allFrontierMicros)}; ` +
        `routed at list price (spend + shadow) ${usd(f.routedListMicros)}` +
        (f.ratio === null ? '' : ` = ${f.ratio} × all-frontier`),
    );
  }
  return lines;
}
