import { type ModelPrice, TIERS, type Tier } from '@forge/contracts';
import { costMicros } from '@forge/models';
import { type RoutingConfig, usdToMicros } from '@forge/policy';
import type { LedgerUsageRow } from '@forge/store';
import { monthStart } from './month-start.js';

const DAY_MS = 86_400_000;

/** Sums over a set of ledger rows. Money is integer micro-USD. */
export interface CostTotals {
  /** Ledger rows: model call attempts (retries, fallbacks and escalations are rows of their own). */
  calls: number;
  offlineCalls: number;
  /** What was charged. Offline rows add 0: their list price is in `shadowMicros`, never here. */
  spendMicros: number;
  /** List price of the model each offline answer stood in for: reported, never charged. */
  shadowMicros: number;
  /** The same tokens priced at the frontier tier's first model; null when it has no price. */
  allFrontierMicros: number | null;
  inputTokens: number;
  outputTokens: number;
}

/** What `forge costs --json` prints (besides the brain and where it read from). */
export interface CostReport {
  since: string;
  until: string;
  policyVersion: string;
  totals: CostTotals;
  byTier: ({ tier: Tier } & CostTotals)[];
  byAgent: ({ agent: string } & CostTotals)[];
  /** UTC days with at least one row, oldest first. */
  byDay: ({ day: string } & CostTotals)[];
  /** The same days split by tier (a day's tiers in tier order): what a stacked chart draws. */
  byDayTier: ({ day: string; tier: Tier } & CostTotals)[];
  monthToDate: {
    /** `YYYY-MM`, UTC. */
    month: string;
    spendMicros: number;
    shadowMicros: number;
    /** Days since the month began (fractional); the projection divides by at least 1. */
    daysElapsed: number;
    daysInMonth: number;
    /** Spend so far × days in month / days elapsed: linear, nothing else assumed. */
    projectedSpendMicros: number;
    projectedShadowMicros: number;
    /** The config's monthly cap, or null when there is none. */
    budgetMicros: number | null;
  };
  allFrontier: {
    /** The model every row is priced at: the frontier tier's first; null when none is priced. */
    model: string | null;
    allFrontierMicros: number | null;
    /** Spend plus shadow: what the routed calls cost, or would have at list price. */
    routedListMicros: number;
    /** routedListMicros / allFrontierMicros; null when the baseline is 0 or unknown. */
    ratio: number | null;
    /** spendMicros / allFrontierMicros (offline calls count 0 here). */
    spendRatio: number | null;
  };
}

function emptyTotals(priced: boolean): CostTotals {
  return {
    calls: 0,
    offlineCalls: 0,
    spendMicros: 0,
    shadowMicros: 0,
    allFrontierMicros: priced ? 0 : null,
    inputTokens: 0,
    outputTokens: 0,
  };
}

function add(totals: CostTotals, row: LedgerUsageRow, frontierMicros: number | null): void {
  totals.calls += 1;
  if (row.offline) totals.offlineCalls += 1;
  totals.spendMicros += row.costMicros;
  totals.shadowMicros += row.shadowCostMicros;
  if (totals.allFrontierMicros !== null && frontierMicros !== null)
    totals.allFrontierMicros += frontierMicros;
  totals.inputTokens +=
    row.usage.inputTokens +
    row.usage.cacheReadTokens +
    row.usage.cacheWriteTokens +
    row.usage.cacheWrite1hTokens;
  totals.outputTokens += row.usage.outputTokens;
}

function ratio(part: number, whole: number | null): number | null {
  if (whole === null || whole === 0) return null;
  return Math.round((part / whole) * 10_000) / 10_000;
}

/** The frontier tier's first model and its price, or nulls when the config prices none. */
export function frontierBaseline(config: RoutingConfig): { model: string | null; price: ModelPrice | null } {
  const model = config.tiers.frontier[0] ?? null;
  const price = model === null ? undefined : (config.prices as Record<string, ModelPrice>)[model];
  return { model, price: price ?? null };
}

/**
 * Builds the cost report over `rows` (every ledger row since the earlier of `since` and the start
 * of `now`'s UTC month): the window's totals by tier, agent and UTC day; month to date with a
 * linear month-end projection; and the all-frontier baseline, each row's own usage priced with
 * `costMicros` at the frontier tier's first model (long-context and cache prices included).
 */
export function buildCostReport(input: {
  rows: readonly LedgerUsageRow[];
  config: RoutingConfig;
  since: Date;
  now: Date;
}): CostReport {
  const { rows, config, since, now } = input;
  const baseline = frontierBaseline(config);
  const priced = baseline.price !== null;
  const totals = emptyTotals(priced);
  const tiers = new Map<Tier, CostTotals>();
  const agents = new Map<string, CostTotals>();
  const days = new Map<string, CostTotals>();
  const dayTiers = new Map<string, CostTotals>();
  const month = monthStart(now);
  const mtd = emptyTotals(priced);
  const group = <K>(map: Map<K, CostTotals>, key: K) => {
    const found = map.get(key);
    if (found) return found;
    const entry = emptyTotals(priced);
    map.set(key, entry);
    return entry;
  };
  for (const row of rows) {
    const frontier = baseline.price === null ? null : costMicros(row.usage, baseline.price);
    if (row.at >= month && row.at <= now) add(mtd, row, frontier);
    if (row.at < since || row.at > now) continue;
    add(totals, row, frontier);
    add(group(tiers, row.tier), row, frontier);
    add(group(agents, row.agent ?? '(unknown)'), row, frontier);
    add(group(days, row.at.toISOString().slice(0, 10)), row, frontier);
    add(group(dayTiers, `${row.at.toISOString().slice(0, 10)}|${row.tier}`), row, frontier);
  }
  const daysInMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 0)).getUTCDate();
  const daysElapsed = (now.getTime() - month.getTime()) / DAY_MS;
  const basis = Math.max(1, daysElapsed);
  const project = (micros: number) => Math.round((micros * daysInMonth) / basis);
  const routedListMicros = totals.spendMicros + totals.shadowMicros;
  return {
    since: since.toISOString(),
    until: now.toISOString(),
    policyVersion: config.version,
    totals,
    byTier: TIERS.filter((tier) => tiers.has(tier)).map((tier) => ({ tier, ...tiers.get(tier)! })),
    byAgent: [...agents]
      .sort(
        ([a, x], [b, y]) =>
          y.spendMicros + y.shadowMicros - (x.spendMicros + x.shadowMicros) || a.localeCompare(b),
      )
      .map(([agent, sums]) => ({ agent, ...sums })),
    byDay: [...days].sort(([a], [b]) => a.localeCompare(b)).map(([day, sums]) => ({ day, ...sums })),
    byDayTier: [...dayTiers]
      .map(([key, sums]) => {
        const [day, tier] = key.split('|') as [string, Tier];
        return { day, tier, ...sums };
      })
      .sort((a, b) => a.day.localeCompare(b.day) || TIERS.indexOf(a.tier) - TIERS.indexOf(b.tier)),
    monthToDate: {
      month: month.toISOString().slice(0, 7),
      spendMicros: mtd.spendMicros,
      shadowMicros: mtd.shadowMicros,
      daysElapsed: Math.round(daysElapsed * 100) / 100,
      daysInMonth,
      projectedSpendMicros: project(mtd.spendMicros),
      projectedShadowMicros: project(mtd.shadowMicros),
      budgetMicros: config.budgets.month ? usdToMicros(config.budgets.month.usd) : null,
    },
    allFrontier: {
      model: priced ? baseline.model : null,
      allFrontierMicros: totals.allFrontierMicros,
      routedListMicros,
      ratio: ratio(routedListMicros, totals.allFrontierMicros),
      spendRatio: ratio(totals.spendMicros, totals.allFrontierMicros),
    },
  };
}
