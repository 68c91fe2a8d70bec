import { type CacheStats, hitRates } from './lever-summary.js';
import { LEVER_LABEL, type Lever } from './levers.js';
import type { MonthSummary } from './summarize.js';

/** The seed's claim: under $500 a month routed, where frontier-by-default work burns about $50,000. */
export const SEED_CLAIM = { routedUsd: 500, allFrontierUsd: 50_000, ratio: 0.01 } as const;

const usd = (micros: number): number => Math.round(micros / 10_000) / 100;
const money = (micros: number): string =>
  `$${(micros / 1_000_000).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const pct = (ratio: number): string => `${(ratio * 100).toFixed(2)}%`;
const ratioOf = (a: number, b: number): number => (b === 0 ? 0 : a / b);

/** What the run was, for the header and the JSON line. */
export interface RunFacts {
  workload: string;
  workloadFile: string;
  configVersion: string;
  slotMinutes: number;
  routeAll: boolean;
  routedSeconds: number;
  elapsedSeconds: number;
}

const change = (micros: number, base: number): string =>
  base === 0 ? '' : ` (${micros <= base ? '−' : '+'}${pct(Math.abs(base - micros) / base)})`;

function hitText(stats: CacheStats | undefined): string {
  const r = hitRates(stats);
  if (r.calls === 0) return '-';
  return `${Math.round(r.hitRate * r.calls)}/${r.calls} calls, ${pct(r.cachedShare)} of prompt`;
}

function table(header: string[], rows: string[][], leftColumns: number): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < leftColumns ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)];
}

/** The levers section: the routed month under each, all-frontier with the same discounts, cache hits. */
function leverReport(s: MonthSummary): string[] {
  const levers = s.levers.map((v) => v.lever);
  const base = s.levers.find((v) => v.lever === 'none');
  const header = [
    'task type',
    ...levers.map((l) => LEVER_LABEL[l]),
    'all-frontier',
    '+ cache + batch',
    `cache hits (${LEVER_LABEL[s.mainLever]})`,
  ];
  const rows = s.types
    .filter((t) => !t.toolTier || s.leveredFrontier.simulated.has(t.id))
    .map((t) => [
      t.id,
      ...levers.map((l) => money(t.routedByLever[l] ?? 0)),
      money(t.allFrontierMicros),
      money(t.allFrontierLeveredMicros),
      hitText(t.cache),
    ]);
  rows.push([
    'total (all types)',
    ...s.levers.map((v) => money(v.routedMicros)),
    money(s.allFrontierMicros),
    money(s.allFrontierLeveredMicros),
    '',
  ]);
  const byLever = s.levers
    .map(
      (v) =>
        `${LEVER_LABEL[v.lever]} ${money(v.routedMicros)}${base && v !== base ? change(v.routedMicros, base.routedMicros) : ''}`,
    )
    .join(' · ');
  const main = s.levers.find((v) => v.lever === s.mainLever);
  const skills = main ? [...main.cacheBySkill].sort(([a], [b]) => a.localeCompare(b)) : [];
  const frontierSkills = [...s.leveredFrontier.cacheBySkill].sort(([a], [b]) => a.localeCompare(b));
  return [
    "the vendors' discounts: the routed month under each lever (types with model calls; tool-tier types cost $0 routed),",
    'and all-frontier naive and with the same caching and batching (types no discount touches cost as naive there):',
    '',
    ...table(header, rows, 1),
    '',
    `routed month by lever: ${byLever}`,
    ...s.levers
      .filter((v) => v.batchRows > 0 || v.deferredTasks > 0)
      .map(
        (v) =>
          `  ${LEVER_LABEL[v.lever]}: ${v.batchRows} ledger rows through a vendor batch (${money(v.batchMicros)}), ${v.deferredTasks} tasks waited for one`,
      ),
    `all-frontier: naive ${money(s.allFrontierMicros)}, with caching and batching ${money(s.allFrontierLeveredMicros)}${change(s.allFrontierLeveredMicros, s.allFrontierMicros)}`,
    `routed / all-frontier with the same discounts = ${pct(ratioOf(s.routedMicros, s.allFrontierLeveredMicros))}` +
      (base ? `   (naive / naive ${pct(ratioOf(base.routedMicros, s.allFrontierMicros))})` : ''),
    `cache hit rate per skill, routed with ${LEVER_LABEL[s.mainLever]}:`,
    ...(skills.length === 0
      ? ['  (no model calls)']
      : skills.map(([skill, stats]) => `  ${skill}: ${hitText(stats)}`)),
    ...(frontierSkills.length === 0
      ? []
      : [
          'cache hit rate per skill, all-frontier with caching and batching (simulated types):',
          ...frontierSkills.map(([skill, stats]) => `  ${skill}: ${hitText(stats)}`),
        ]),
  ];
}

/** A third, two thirds and the end of the period (fewer when the period is that short). */
function checkpoints(days: number): number[] {
  return [...new Set([Math.ceil(days / 3), Math.ceil((2 * days) / 3), days])];
}

/** How many of the month's tasks went through the router, and what happened to the rest. */
function routing(s: MonthSummary, facts: RunFacts): string {
  if (facts.routeAll || s.routedTasks === s.tasks) return `all ${s.tasks} tasks routed`;
  return (
    `${s.routedTasks} of ${s.tasks} tasks routed, every one that may call a model among them; ` +
    `${s.tasks - s.routedTasks} runs of tool-tier types after day 1 counted at $0 (--route-all routes them too)`
  );
}

/** A readable report of the month: per task type, by tier, the baselines and the ratios. */
export function formatReport(s: MonthSummary, facts: RunFacts): string {
  const header = ['task type', 'skill', 'runs', 'tasks', 'routed to', 'routed', 'all-frontier', 'all-mid'];
  const rows = s.types.map((t) => [
    t.id,
    t.skill,
    String(t.runs),
    String(t.tasks),
    t.tiers.join('/') || '-',
    money(t.routedMicros),
    money(t.allFrontierMicros),
    money(t.allMidMicros),
  ]);
  rows.push([
    'total',
    '',
    '',
    String(s.tasks),
    '',
    money(s.routedMicros),
    money(s.allFrontierMicros),
    money(s.allMidMicros),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 || i === 4 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const ratio = ratioOf(s.routedMicros, s.allFrontierMicros);
  const b = s.budget;
  return [
    `cost-month: workload ${facts.workload} (${s.types.length} task types) for ${s.days} simulated days, routing config ${facts.configVersion}`,
    `routed month: ${s.days} days in ${facts.slotMinutes}-minute slots through the real router (route consumer, decision,`,
    `budgets) and model gateway (admission, ledger) against the fake LLM server, in ${facts.routedSeconds.toFixed(1)} s: ${routing(s, facts)};`,
    'baselines: one run of each task type through a router with every skill routed to frontier (or mid), no rules,',
    "no budgets and no vendor discount, costed from its ledger and multiplied by the month's runs (every run of a type",
    `costs the same there). The routed column is the month with ${LEVER_LABEL[s.mainLever]}; prompt caching runs on the`,
    "simulated month's clock, so cache entries expire on the schedule's time.",
    '',
    line(header),
    ...rows.map(line),
    '',
    `routed bill by tier: tool $0.00 (${s.toolTasks} tasks, no model call), small ${money(s.byTierMicros.small)}, ` +
      `mid ${money(s.byTierMicros.mid)}, frontier ${money(s.byTierMicros.frontier)}; ${s.modelCalls} model calls`,
    `budgets: ${b.downgraded} downgraded, ${b.queued} queued for approval, ${b.rejected} rejected, ${b.refusedAtAdmission} refused at ` +
      `admission, ${b.failed} failed${b.firstDay === null ? ' (the budgets never bound)' : ` (first on day ${b.firstDay})`}; ` +
      `${s.escalations} escalations, ${s.fallbacks} fallbacks`,
    `routed spend by day ${checkpoints(s.days).join(' / ')}: ${checkpoints(s.days)
      .map((d) => money(s.spentByDayMicros[d - 1] ?? 0))
      .join(' / ')}`,
    `ledger check: replies ${money(s.repliedMicros)} vs ledger ${money(s.routedMicros)}` +
      `${s.usageMismatches > 0 ? `; ${s.usageMismatches} calls billed other usage than planned` : ''}`,
    '',
    ...leverReport(s),
    '',
    `routed ${money(s.routedMicros)}   all-frontier ${money(s.allFrontierMicros)}   all-mid ${money(s.allMidMicros)}`,
    `routed / all-frontier = ${pct(ratio)}   (seed claims ~${pct(SEED_CLAIM.ratio)}: $${SEED_CLAIM.routedUsd} against ~$${SEED_CLAIM.allFrontierUsd.toLocaleString('en-US')})`,
    `with the tool tier's token estimates halved:  all-frontier ${money(s.allFrontierToolHalvedMicros)}, ratio ${pct(ratioOf(s.routedMicros, s.allFrontierToolHalvedMicros))}`,
    `with the tool tier's token estimates doubled: all-frontier ${money(s.allFrontierToolDoubledMicros)}, ratio ${pct(ratioOf(s.routedMicros, s.allFrontierToolDoubledMicros))}`,
    '(the routed bill does not move: tool-tier tasks run no model)',
  ].join('\n');
}

/** The one JSON line the bench ends with. Money in USD (cents) and in exact micro-USD. */
export function jsonLine(s: MonthSummary, facts: RunFacts): string {
  return JSON.stringify({
    bench: 'cost-month',
    workload: facts.workload,
    workloadFile: facts.workloadFile,
    taskTypes: s.types.length,
    days: s.days,
    config: facts.configVersion,
    simulation: `routed: ${s.days} days through the real router and gateway in ${facts.slotMinutes}-minute slots (${routing(s, facts)}); baselines: one run per task type through an all-frontier or all-mid router, times the month's runs`,
    tasks: s.tasks,
    routedTasks: s.routedTasks,
    toolTasks: s.toolTasks,
    modelCalls: s.modelCalls,
    routedUsd: usd(s.routedMicros),
    allFrontierUsd: usd(s.allFrontierMicros),
    allMidUsd: usd(s.allMidMicros),
    byTierUsd: {
      tool: 0,
      small: usd(s.byTierMicros.small),
      mid: usd(s.byTierMicros.mid),
      frontier: usd(s.byTierMicros.frontier),
    },
    ratio: Number(ratioOf(s.routedMicros, s.allFrontierMicros).toFixed(5)),
    toolHalved: {
      allFrontierUsd: usd(s.allFrontierToolHalvedMicros),
      ratio: Number(ratioOf(s.routedMicros, s.allFrontierToolHalvedMicros).toFixed(5)),
    },
    toolDoubled: {
      allFrontierUsd: usd(s.allFrontierToolDoubledMicros),
      ratio: Number(ratioOf(s.routedMicros, s.allFrontierToolDoubledMicros).toFixed(5)),
    },
    micros: {
      routed: s.routedMicros,
      allFrontier: s.allFrontierMicros,
      allMid: s.allMidMicros,
      byTier: s.byTierMicros,
      replied: s.repliedMicros,
    },
    budget: s.budget,
    escalations: s.escalations,
    fallbacks: s.fallbacks,
    spentByDayUsd: s.spentByDayMicros.map(usd),
    mainLever: s.mainLever,
    levers: Object.fromEntries(
      s.levers.map((v) => [
        v.lever,
        {
          routedUsd: usd(v.routedMicros),
          routedMicros: v.routedMicros,
          byTierUsd: {
            small: usd(v.byTierMicros.small),
            mid: usd(v.byTierMicros.mid),
            frontier: usd(v.byTierMicros.frontier),
          },
          batchRows: v.batchRows,
          batchUsd: usd(v.batchMicros),
          deferredTasks: v.deferredTasks,
          usageMismatches: v.usageMismatches,
          seconds: Number(v.seconds.toFixed(1)),
        },
      ]),
    ),
    allFrontierLeveredUsd: usd(s.allFrontierLeveredMicros),
    ratioLevered: Number(ratioOf(s.routedMicros, s.allFrontierLeveredMicros).toFixed(5)),
    cacheHitRate: Object.fromEntries(
      [...(s.levers.find((v) => v.lever === s.mainLever)?.cacheBySkill ?? [])].map(([skill, stats]) => [
        skill,
        rateJson(stats),
      ]),
    ),
    allFrontierCacheHitRate: Object.fromEntries(
      [...s.leveredFrontier.cacheBySkill].map(([skill, stats]) => [skill, rateJson(stats)]),
    ),
    perType: Object.fromEntries(
      s.types.map((t) => [
        t.id,
        {
          runs: t.runs,
          tasks: t.tasks,
          tiers: t.tiers,
          routedUsd: usd(t.routedMicros),
          allFrontierUsd: usd(t.allFrontierMicros),
          allMidUsd: usd(t.allMidMicros),
          routedByLeverUsd: Object.fromEntries(
            (Object.entries(t.routedByLever) as [Lever, number][]).map(([l, m]) => [l, usd(m)]),
          ),
          allFrontierLeveredUsd: usd(t.allFrontierLeveredMicros),
          cacheHitRate: rateJson(t.cache),
        },
      ]),
    ),
    seedClaim: SEED_CLAIM,
    routedSeconds: Number(facts.routedSeconds.toFixed(1)),
    elapsedSeconds: Number(facts.elapsedSeconds.toFixed(1)),
  });
}

function rateJson(stats: CacheStats | undefined) {
  const r = hitRates(stats);
  return {
    calls: r.calls,
    hitRate: Number(r.hitRate.toFixed(4)),
    cachedShare: Number(r.cachedShare.toFixed(4)),
  };
}
