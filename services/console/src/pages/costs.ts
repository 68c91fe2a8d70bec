import { TIERS, type Tier } from '@forge/contracts';
import { type CostReport, usd } from '@forge/ledger-views';
import { type Html, html, jsonScript } from '../html.js';

const DAY_MS = 86_400_000;

/** What the charts draw, all integer micro-USD, one entry per UTC day of the window (zeros kept). */
export interface CostChartData {
  readonly days: string[];
  /** Epoch seconds of each day's midnight UTC (uPlot's x axis). */
  readonly x: number[];
  readonly spendByTier: Record<Tier, number[]>;
  /** Offline stand-ins' list price per day: never spend, drawn apart. */
  readonly shadow: number[];
  readonly month: {
    readonly month: string;
    readonly days: string[];
    readonly x: number[];
    /** Spend so far this month, cumulative per day, up to today. */
    readonly cumulative: number[];
    readonly projectedMicros: number;
    readonly budgetMicros: number | null;
  };
}

function dayList(from: Date, to: Date): string[] {
  const days: string[] = [];
  for (
    let t = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
    t <= to.getTime();
    t += DAY_MS
  )
    days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

const epoch = (day: string) => Date.parse(`${day}T00:00:00Z`) / 1000;

/**
 * The charts' numbers from the cost report (itself summed from the ledger rows): per-day spend by
 * tier over the window, the offline shadow cost per day, and this month's cumulative spend with
 * its linear month-end projection and the budget.
 */
export function chartData(report: CostReport, monthDays: CostReport['byDay']): CostChartData {
  const days = dayList(new Date(report.since), new Date(report.until));
  const index = new Map(days.map((d, i) => [d, i]));
  const spendByTier = Object.fromEntries(TIERS.map((t) => [t, days.map(() => 0)])) as Record<Tier, number[]>;
  const shadow = days.map(() => 0);
  for (const day of report.byDay) {
    const i = index.get(day.day);
    if (i !== undefined) shadow[i] = day.shadowMicros;
  }
  for (const row of report.byDayTier) {
    const i = index.get(row.day);
    if (i !== undefined) spendByTier[row.tier][i] = row.spendMicros;
  }
  const mtd = report.monthToDate;
  const month = dayList(new Date(`${mtd.month}-01T00:00:00Z`), new Date(report.until));
  const perDay = new Map(monthDays.map((d) => [d.day, d.spendMicros]));
  let running = 0;
  const cumulative = month.map((d) => {
    running += perDay.get(d) ?? 0;
    return running;
  });
  return {
    days,
    x: days.map(epoch),
    spendByTier,
    shadow,
    month: {
      month: mtd.month,
      days: month,
      x: month.map(epoch),
      cumulative,
      projectedMicros: mtd.projectedSpendMicros,
      budgetMicros: mtd.budgetMicros,
    },
  };
}

function stat(label: string, value: string, id: string): Html {
  return html`<div><dt>${label}</dt><dd id="${id}">${value}</dd></div>`;
}

export function costsBody(report: CostReport, data: CostChartData, windowDays: number): Html {
  const mtd = report.monthToDate;
  const af = report.allFrontier;
  const budget = mtd.budgetMicros;
  return html`<nav aria-label="Window" class="filters">${[7, 30, 90].map(
    (d) =>
      html`<a href="/costs?days=${d}"${d === windowDays ? html` aria-current="true"` : ''}>last ${d} days</a>`,
  )}</nav>
<dl class="stats">
${stat(`Spent in ${mtd.month}`, usd(mtd.spendMicros), 'mtd-spend')}
${stat('Month-end projection', usd(mtd.projectedSpendMicros), 'projected')}
${stat('Monthly budget', budget === null ? 'none' : usd(budget), 'budget')}
${stat(`Spent, last ${windowDays} days`, usd(report.totals.spendMicros), 'window-spend')}
${stat(`All-frontier equivalent${af.model ? ` (${af.model})` : ''}`, af.allFrontierMicros === null ? 'no price' : usd(af.allFrontierMicros), 'all-frontier')}
${stat('Routed ÷ all-frontier', af.ratio === null ? '–' : `${(af.ratio * 100).toFixed(1)}%`, 'ratio')}
</dl>
${
  budget !== null && mtd.projectedSpendMicros > budget
    ? html`<p class="flash error" role="alert">The month-end projection ${usd(mtd.projectedSpendMicros)} is over the budget ${usd(budget)}.</p>`
    : ''
}
<h2 id="spend-title">Spend per day by tier</h2>
<div class="chart" id="spend-chart" role="img" aria-labelledby="spend-title" aria-describedby="spend-table-caption"></div>
<h2 id="month-title">This month: spend so far, projection and budget</h2>
<div class="chart" id="month-chart" role="img" aria-labelledby="month-title"></div>
<h2>Offline shadow cost (not charged)</h2>
<p class="meta">What the ${report.totals.offlineCalls} offline answers would have cost at the list price of the models they stood in for: <strong id="shadow-total">${usd(report.totals.shadowMicros)}</strong> in the window, ${usd(mtd.shadowMicros)} this month (projection ${usd(mtd.projectedShadowMicros)}). Never added to spend.</p>
<div class="chart" id="shadow-chart" role="img" aria-label="Offline shadow cost per day"></div>
<details><summary id="spend-table-caption">The numbers per day and tier</summary><div class="table-wrap"><table id="spend-table">
<thead><tr><th scope="col">Day (UTC)</th>${TIERS.map((t) => html`<th scope="col" class="num">${t}</th>`)}<th scope="col" class="num">shadow</th></tr></thead>
<tbody>${data.days.map(
    (day, i) =>
      html`<tr><th scope="row">${day}</th>${TIERS.map((t) => html`<td class="num" data-micros="${data.spendByTier[t][i]}">${usd(data.spendByTier[t][i]!)}</td>`)}<td class="num" data-micros="${data.shadow[i]}">${usd(data.shadow[i]!)}</td></tr>`,
  )}</tbody></table></div></details>
<h2>By tier</h2>
<div class="table-wrap"><table><thead><tr><th scope="col">Tier</th><th scope="col" class="num">Calls</th><th scope="col" class="num">Offline</th><th scope="col" class="num">Spend</th><th scope="col" class="num">Shadow</th><th scope="col" class="num">All-frontier</th></tr></thead>
<tbody>${report.byTier.map(
    (t) =>
      html`<tr><th scope="row">${t.tier}</th><td class="num">${t.calls}</td><td class="num">${t.offlineCalls}</td><td class="num">${usd(t.spendMicros)}</td><td class="num">${usd(t.shadowMicros)}</td><td class="num">${t.allFrontierMicros === null ? '–' : usd(t.allFrontierMicros)}</td></tr>`,
  )}</tbody></table></div>
<h2>By agent</h2>
<div class="table-wrap"><table><thead><tr><th scope="col">Agent</th><th scope="col" class="num">Calls</th><th scope="col" class="num">Spend</th><th scope="col" class="num">Shadow</th></tr></thead>
<tbody>${report.byAgent.map(
    (a) =>
      html`<tr><th scope="row">${a.agent}</th><td class="num">${a.calls}</td><td class="num">${usd(a.spendMicros)}</td><td class="num">${usd(a.shadowMicros)}</td></tr>`,
  )}</tbody></table></div>
<p class="meta">From the cost ledger, ${report.since.slice(0, 10)} to ${report.until.slice(0, 16).replace('T', ' ')} UTC; policy ${report.policyVersion}. The same report as <code>forge costs --json</code>.</p>
${jsonScript('cost-data', data)}`;
}
