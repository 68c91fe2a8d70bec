import { type LedgerLine, sumBy } from './ledger-bill.js';
import type { Lever } from './levers.js';
import type { SimulatedTask } from './month-simulation.js';
import type { RoutedMonth } from './routed-month.js';

/** How a set of calls met the prompt cache: from the answering ledger rows. */
export interface CacheStats {
  calls: number;
  /** Calls that read part of their prompt from the cache. */
  hits: number;
  promptTokens: number;
  readTokens: number;
  writeTokens: number;
}

/** One routed month under one lever, billed from its ledger. */
export interface VariantBill {
  lever: Lever;
  routedMicros: number;
  byTierMicros: Record<'small' | 'mid' | 'frontier', number>;
  perTypeMicros: Map<string, number>;
  cacheByType: Map<string, CacheStats>;
  cacheBySkill: Map<string, CacheStats>;
  /** Ledger rows of calls answered (or billed) through a vendor batch, and what they cost. */
  batchRows: number;
  batchMicros: number;
  /** Tasks whose calls waited in a batch. */
  deferredTasks: number;
  usageMismatches: number;
  seconds: number;
}

export function emptyStats(): CacheStats {
  return { calls: 0, hits: 0, promptTokens: 0, readTokens: 0, writeTokens: 0 };
}

function add(stats: CacheStats, line: LedgerLine): void {
  stats.calls += 1;
  if (line.cacheReadTokens > 0) stats.hits += 1;
  stats.promptTokens += line.inputTokens + line.cacheReadTokens + line.cacheWriteTokens;
  stats.readTokens += line.cacheReadTokens;
  stats.writeTokens += line.cacheWriteTokens;
}

/** Cache stats of the answered calls (`ok` rows), grouped by `key`. */
export function cacheStatsBy(
  ledger: readonly LedgerLine[],
  key: (line: LedgerLine) => string | undefined,
): Map<string, CacheStats> {
  const out = new Map<string, CacheStats>();
  for (const line of ledger) {
    if (line.outcome !== 'ok') continue;
    const k = key(line);
    if (k === undefined) continue;
    const stats = out.get(k) ?? emptyStats();
    add(stats, line);
    out.set(k, stats);
  }
  return out;
}

/** Task id → the task type it belongs to, for the tasks that went through the router. */
export function typeOfTask(tasks: readonly SimulatedTask[]): Map<string, string> {
  return new Map(tasks.flatMap((t) => (t.outcome ? [[t.outcome.taskId, t.typeId] as const] : [])));
}

/** The bill of one lever's routed month. */
export function variantBill(lever: Lever, routed: RoutedMonth, seconds: number): VariantBill {
  const typeOf = typeOfTask(routed.tasks);
  const byTier = sumBy(routed.ledger, (l) => l.tier);
  const batchLines = routed.ledger.filter((l) => l.batch);
  return {
    lever,
    routedMicros: routed.ledger.reduce((sum, l) => sum + l.costMicros, 0),
    byTierMicros: {
      small: byTier.get('small') ?? 0,
      mid: byTier.get('mid') ?? 0,
      frontier: byTier.get('frontier') ?? 0,
    },
    perTypeMicros: sumBy(routed.ledger, (l) => typeOf.get(l.taskId)),
    cacheByType: cacheStatsBy(routed.ledger, (l) => typeOf.get(l.taskId)),
    cacheBySkill: cacheStatsBy(routed.ledger, (l) => l.skill ?? undefined),
    batchRows: batchLines.length,
    batchMicros: batchLines.reduce((sum, l) => sum + l.costMicros, 0),
    deferredTasks: routed.tasks.filter((t) => t.outcome?.kind === 'ran' && t.outcome.deferred > 0).length,
    usageMismatches: routed.tasks.reduce(
      (n, t) => n + (t.outcome?.kind === 'ran' ? t.outcome.usageMismatches : 0),
      0,
    ),
    seconds,
  };
}

/** Share of calls that read the cache, and share of prompt tokens read from it. */
export function hitRates(stats: CacheStats | undefined): {
  calls: number;
  hitRate: number;
  cachedShare: number;
} {
  if (!stats || stats.calls === 0) return { calls: 0, hitRate: 0, cachedShare: 0 };
  return {
    calls: stats.calls,
    hitRate: stats.hits / stats.calls,
    cachedShare: stats.promptTokens === 0 ? 0 : stats.readTokens / stats.promptTokens,
  };
}
