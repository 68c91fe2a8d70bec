import { TIERS, type Tier, tierRank } from '@forge/contracts';
import { scopeLabel } from './budget-scope.js';
import type { BudgetView } from './budget-view.js';
import type { CompiledPolicy, ScopePolicy } from './compiled-policy.js';
import type { ModelTier } from './model-tier.js';

/** What the budget did to a decision. */
export type BudgetAction = 'none' | 'downgraded' | 'queue' | 'reject';

/** The budget step's outcome: the tier after it, and its reason (null when it had nothing to say). */
export interface BudgetStepResult {
  action: BudgetAction;
  tier: Tier;
  text: string | null;
}

interface ScopeCheck {
  policy: ScopePolicy;
  usedPct: number;
  exhausted: boolean;
  /** At or past `downgradeAtPct`: closed to tiers above small (tier caps: closed to the tier). */
  closed: boolean;
}

/**
 * The budget step of a decision (see `BudgetLimit` for the policy words). `tier` is the tier
 * the task would run at: for a critical skill the caller passes frontier, since the floor comes
 * after and budgets must judge the tier that will be paid for. Order of precedence among
 * scopes that block: an exhausted `reject` scope rejects, else an exhausted `queue` scope queues,
 * else a critical skill stays (queued if a scope is exhausted), else the task drops to the
 * highest lower tier nothing blocks, else it is queued.
 */
export function budgetStep(
  p: CompiledPolicy,
  view: BudgetView,
  task: { tier: ModelTier; critical: boolean; agent: string; principal: string | undefined },
): BudgetStepResult {
  const shared: ScopeCheck[] = [];
  const month = p.month;
  if (month) shared.push(check(month, view));
  const agent = p.agents.get(task.agent);
  if (agent) shared.push(check(agent, view));
  const principal = task.principal === undefined ? undefined : p.principals.get(task.principal);
  if (principal) shared.push(check(principal, view));

  const blockersAt = (tier: ModelTier): ScopeCheck[] => {
    if (p.freeTier[tier]) return [];
    const out = shared.filter((s) => s.exhausted || (tier !== 'small' && s.closed));
    const tierPolicy = p.tiers[tier];
    if (tierPolicy) {
      const t = check(tierPolicy, view);
      if (t.closed) out.push(t);
    }
    return out;
  };

  const tier = task.tier;
  const blocking = blockersAt(tier);
  if (blocking.length === 0) {
    const ignored = p.freeTier[tier] ? shared.find((s) => s.exhausted) : undefined;
    const text = ignored ? `${describe([ignored])}: tier ${tier} costs $0 here, not limited` : null;
    return { action: 'none', tier, text };
  }
  const exhausted = blocking.filter((s) => s.exhausted);
  const rejecting = exhausted.find((s) => s.policy.onExhausted === 'reject');
  if (rejecting) return { action: 'reject', tier, text: `${describe([rejecting])}: reject at ${tier}` };
  const queueing = exhausted.find((s) => s.policy.onExhausted === 'queue');
  if (queueing)
    return { action: 'queue', tier, text: `${describe([queueing])}: queue for approval at ${tier}` };
  if (task.critical) {
    if (exhausted.length > 0) {
      return {
        action: 'queue',
        tier,
        text: `${describe(exhausted)}: a critical skill is never downgraded, queue for approval at ${tier}`,
      };
    }
    return {
      action: 'none',
      tier,
      text: `${describe(blocking)}: a critical skill is never downgraded, stays ${tier}`,
    };
  }
  for (let rank = tierRank(tier) - 1; rank >= tierRank('small'); rank--) {
    const lower = TIERS[rank] as ModelTier;
    if (blockersAt(lower).length === 0) {
      return { action: 'downgraded', tier: lower, text: `${describe(blocking)}: downgrade to ${lower}` };
    }
  }
  return {
    action: 'queue',
    tier,
    text: `${describe(blocking)}: no cheaper tier fits, queue for approval at ${tier}`,
  };
}

function check(policy: ScopePolicy, view: BudgetView): ScopeCheck {
  const budget = view.scopes[policy.key];
  // A scope the config caps but the view lacks has no usage yet: judge it at zero against config.
  const limit = budget?.limitMicros ?? policy.limitMicros;
  const used = budget ? budget.spentMicros + budget.reservedMicros : 0;
  return {
    policy,
    usedPct: limit === 0 ? 100 : Math.floor((used * 100) / limit),
    exhausted: used >= limit,
    closed: used * 100 >= limit * policy.downgradeAtPct,
  };
}

function describe(scopes: readonly ScopeCheck[]): string {
  const parts = scopes.map((s) => {
    const base = `${scopeLabel(s.policy.key)} ${s.usedPct}% used`;
    return s.exhausted ? base : `${base} (downgrades from ${s.policy.downgradeAtPct}%)`;
  });
  return `budget ${parts.join(', ')}`;
}
