import { type RunCost, runKey } from './baseline-runs.js';
import { sumBy } from './ledger-bill.js';
import type { CacheStats, VariantBill } from './lever-summary.js';
import type { Lever } from './levers.js';
import type { SimulatedTask } from './month-simulation.js';
import type { RoutedMonth } from './routed-month.js';
import type { Workload } from './workload.js';

export interface TypeBill {
  id: string;
  skill: string;
  runs: number;
  tasks: number;
  /** Of `tasks`, those that went through the router (the rest were counted: see simulateMonth). */
  routedTasks: number;
  /** Tiers the router stamped on this type's tasks over the month, most frequent first. */
  tiers: string[];
  routedMicros: number;
  allFrontierMicros: number;
  allMidMicros: number;
  /** Every task of this type was routed to `tool`. */
  toolTier: boolean;
  /** The routed bill under each lever run. */
  routedByLever: Partial<Record<Lever, number>>;
  /** All-frontier with the same caching and batching. */
  allFrontierLeveredMicros: number;
  /** How the main lever's routed calls met the prompt cache. */
  cache: CacheStats | undefined;
}

/** All-frontier with caching and batching: the types a lever touches simulated, the rest as naive. */
export interface LeveredFrontier {
  perTypeMicros: ReadonlyMap<string, number>;
  /** Types simulated through the month (a stable prefix or a deferrable skill); others cost as naive. */
  simulated: ReadonlySet<string>;
  cacheBySkill: ReadonlyMap<string, CacheStats>;
}

export interface BudgetEffects {
  downgraded: number;
  queued: number;
  rejected: number;
  refusedAtAdmission: number;
  failed: number;
  /** First simulated day any task was downgraded, held or refused; null when none was. */
  firstDay: number | null;
}

export interface MonthSummary {
  types: TypeBill[];
  days: number;
  tasks: number;
  /** Tasks that went through the router; the others were counted at $0 (tool-tier sampling). */
  routedTasks: number;
  modelCalls: number;
  /** Tasks routed to `tool`, counted ones included. */
  toolTasks: number;
  routedMicros: number;
  byTierMicros: Record<'small' | 'mid' | 'frontier', number>;
  allFrontierMicros: number;
  allMidMicros: number;
  allFrontierToolHalvedMicros: number;
  allFrontierToolDoubledMicros: number;
  budget: BudgetEffects;
  escalations: number;
  fallbacks: number;
  /** Routed spend by the end of each simulated day (cumulative). */
  spentByDayMicros: number[];
  /** Sum of the costs the gateway answered the calls with, to reconcile with the ledger. */
  repliedMicros: number;
  usageMismatches: number;
  /** Every lever's routed month, in the order run; `mainLever` is the one the tables show. */
  levers: VariantBill[];
  mainLever: Lever;
  allFrontierLeveredMicros: number;
  leveredFrontier: LeveredFrontier;
}

function costOf(task: SimulatedTask): number {
  const o = task.outcome;
  return o === undefined || o.kind === 'tool' || o.kind === 'held' ? 0 : o.costMicros;
}

/**
 * The task types the router sent wholly to `tool` in the routed month (at least one task routed,
 * every routed one to `tool`): the ones whose estimates are only ever billed in the baselines.
 */
export function toolTierTypes(tasks: readonly SimulatedTask[]): Set<string> {
  const verdict = new Map<string, boolean>();
  for (const t of tasks) {
    if (!t.outcome) continue;
    verdict.set(t.typeId, (verdict.get(t.typeId) ?? true) && t.outcome.kind === 'tool');
  }
  return new Set([...verdict].filter(([, tool]) => tool).map(([typeId]) => typeId));
}

/** Puts the routed month and the baselines' representative runs together into the month's bills. */
export function summarize(opts: {
  workload: Workload;
  days: number;
  runsPerType: ReadonlyMap<string, number>;
  routed: RoutedMonth;
  frontier: ReadonlyMap<string, RunCost>;
  mid: ReadonlyMap<string, RunCost>;
  levers: VariantBill[];
  mainLever: Lever;
  leveredFrontier: LeveredFrontier;
}): MonthSummary {
  const { workload, routed, days } = opts;
  const toolTypes = toolTierTypes(routed.tasks);
  const typeOf = new Map(routed.tasks.flatMap((t) => (t.outcome ? [[t.outcome.taskId, t] as const] : [])));
  const routedByType = sumBy(routed.ledger, (l) => typeOf.get(l.taskId)?.typeId);
  const tiersByType = new Map<string, Map<string, number>>();
  for (const d of routed.decisions) {
    const id = typeOf.get(d.taskId)?.typeId;
    if (id === undefined) continue;
    const counts = tiersByType.get(id) ?? new Map<string, number>();
    counts.set(d.tier, (counts.get(d.tier) ?? 0) + 1);
    tiersByType.set(id, counts);
  }
  const perRun = (costs: ReadonlyMap<string, RunCost>, id: string, scale: number): number => {
    const cost = costs.get(runKey(id, scale));
    if (!cost) throw new Error(`no representative run of ${id} at scale ${scale}`);
    return cost.costMicros;
  };

  const types = workload.tasks.map((task): TypeBill => {
    const runs = opts.runsPerType.get(task.id) ?? 0;
    const tiers = [...(tiersByType.get(task.id) ?? new Map<string, number>())].sort((a, b) => b[1] - a[1]);
    return {
      id: task.id,
      skill: task.skill,
      runs,
      tasks: routed.tasks.filter((t) => t.typeId === task.id).length,
      routedTasks: routed.tasks.filter((t) => t.typeId === task.id && t.outcome).length,
      tiers: tiers.map(([tier]) => tier),
      routedMicros: routedByType.get(task.id) ?? 0,
      allFrontierMicros: perRun(opts.frontier, task.id, 1) * runs,
      allMidMicros: perRun(opts.mid, task.id, 1) * runs,
      toolTier: toolTypes.has(task.id),
      routedByLever: Object.fromEntries(opts.levers.map((v) => [v.lever, v.perTypeMicros.get(task.id) ?? 0])),
      allFrontierLeveredMicros: opts.leveredFrontier.simulated.has(task.id)
        ? (opts.leveredFrontier.perTypeMicros.get(task.id) ?? 0)
        : perRun(opts.frontier, task.id, 1) * runs,
      cache: opts.levers.find((v) => v.lever === opts.mainLever)?.cacheByType.get(task.id),
    };
  });
  const sum = (f: (t: TypeBill) => number) => types.reduce((acc, t) => acc + f(t), 0);
  const scaledFrontier = (scale: number) =>
    sum((t) => (t.toolTier ? perRun(opts.frontier, t.id, scale) * t.runs : t.allFrontierMicros));

  const byTier = sumBy(routed.ledger, (l) => l.tier);
  const spentByDayMicros = Array.from({ length: days }, () => 0);
  for (const t of routed.tasks) spentByDayMicros[t.day - 1]! += costOf(t);
  for (let d = 1; d < days; d++) spentByDayMicros[d]! += spentByDayMicros[d - 1]!;

  const troubleDays: number[] = [];
  const budget: BudgetEffects = {
    downgraded: 0,
    queued: 0,
    rejected: 0,
    refusedAtAdmission: 0,
    failed: 0,
    firstDay: null,
  };
  for (const d of routed.decisions) {
    const day = typeOf.get(d.taskId)?.day;
    if (d.budgetAction === 'downgraded') budget.downgraded += 1;
    if (d.status === 'queued') budget.queued += 1;
    if (d.status === 'rejected') budget.rejected += 1;
    if (day !== undefined && (d.budgetAction !== 'none' || d.status !== 'routed')) troubleDays.push(day);
  }
  for (const t of routed.tasks) {
    if (t.outcome?.kind === 'refused') budget.refusedAtAdmission += 1;
    if (t.outcome?.kind === 'failed') budget.failed += 1;
    if (t.outcome?.kind === 'refused' || t.outcome?.kind === 'failed') troubleDays.push(t.day);
  }
  budget.firstDay = troubleDays.length > 0 ? Math.min(...troubleDays) : null;

  return {
    types,
    days,
    tasks: routed.tasks.length,
    routedTasks: routed.tasks.filter((t) => t.outcome).length,
    modelCalls: new Set(routed.ledger.map((l) => `${l.taskId}:${l.callId}`)).size,
    toolTasks: routed.tasks.filter((t) => t.outcome === undefined || t.outcome.kind === 'tool').length,
    routedMicros: sum((t) => t.routedMicros),
    byTierMicros: {
      small: byTier.get('small') ?? 0,
      mid: byTier.get('mid') ?? 0,
      frontier: byTier.get('frontier') ?? 0,
    },
    allFrontierMicros: sum((t) => t.allFrontierMicros),
    allMidMicros: sum((t) => t.allMidMicros),
    allFrontierToolHalvedMicros: scaledFrontier(0.5),
    allFrontierToolDoubledMicros: scaledFrontier(2),
    budget,
    escalations: routed.ledger.filter((l) => l.escalated).length,
    fallbacks: routed.ledger.filter((l) => l.fellBack).length,
    spentByDayMicros,
    repliedMicros: routed.tasks.reduce((acc, t) => acc + costOf(t), 0),
    usageMismatches: routed.tasks.reduce(
      (acc, t) => acc + (t.outcome?.kind === 'ran' ? t.outcome.usageMismatches : 0),
      0,
    ),
    levers: opts.levers,
    mainLever: opts.mainLever,
    allFrontierLeveredMicros: sum((t) => t.allFrontierLeveredMicros),
    leveredFrontier: opts.leveredFrontier,
  };
}
