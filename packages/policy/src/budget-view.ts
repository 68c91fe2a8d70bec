import { ForgeError, type Tier } from '@forge/contracts';
import { agentScope, type BudgetScopeKey, principalScope, tierScope } from './budget-scope.js';
import { compiledPolicy } from './compiled-policy.js';
import type { RoutingConfig } from './routing-config.js';

/** Money used in one scope this month, integer micro-USD. */
export interface ScopeUsage {
  /** Settled cost of finished calls. */
  spentMicros: number;
  /** Reservations of calls in flight (their maximum cost), not yet settled or expired. */
  reservedMicros: number;
}

/** One scope's usage and its cap. */
export interface ScopeBudget extends ScopeUsage {
  limitMicros: number;
}

/**
 * A plain snapshot of the budgets, filled by the router from Postgres before a decision:
 * usage and cap per scope. A scope absent from the view has no cap.
 */
export interface BudgetView {
  readonly scopes: Readonly<Partial<Record<BudgetScopeKey, ScopeBudget>>>;
}

/** One scope's state: `usedMicros` is spent + reserved; exhausted when it reaches the cap. */
export interface ScopeState {
  key: BudgetScopeKey;
  limitMicros: number;
  usedMicros: number;
  /** Cap minus used, never below zero. */
  remainingMicros: number;
  /** Whole percent of the cap used (100 for a zero cap). */
  usedPct: number;
  exhausted: boolean;
}

/**
 * Builds a view with every scope the config caps, its limit from config, and the usage given
 * (scopes without usage count as unused; usage for scopes the config no longer caps is dropped).
 * Usage must be non-negative integer micro-USD (BAD_INPUT naming the scope otherwise).
 */
export function budgetView(
  config: RoutingConfig,
  usage: Readonly<Partial<Record<BudgetScopeKey, ScopeUsage>>> = {},
): BudgetView {
  const scopes: Partial<Record<BudgetScopeKey, ScopeBudget>> = {};
  for (const [key, policy] of compiledPolicy(config).scopes) {
    const used = usage[key];
    if (used) {
      assertMicros(used.spentMicros, `usage["${key}"].spentMicros`);
      assertMicros(used.reservedMicros, `usage["${key}"].reservedMicros`);
    }
    scopes[key] = {
      limitMicros: policy.limitMicros,
      spentMicros: used?.spentMicros ?? 0,
      reservedMicros: used?.reservedMicros ?? 0,
    };
  }
  return { scopes };
}

/**
 * The scopes a model call of this task counts against, in a fixed order (month, agent,
 * principal, tier), keeping only those the config caps. A `tool` task has none. The gateway
 * reserves against exactly these, and again for the new tier when it escalates.
 */
export function taskBudgetScopes(
  config: RoutingConfig,
  task: { agent: string; tier: Tier; principal?: string | undefined },
): BudgetScopeKey[] {
  if (task.tier === 'tool') return [];
  const p = compiledPolicy(config);
  const out: BudgetScopeKey[] = [];
  if (p.month) out.push('month');
  if (p.agents.has(task.agent)) out.push(agentScope(task.agent));
  if (task.principal !== undefined && p.principals.has(task.principal))
    out.push(principalScope(task.principal));
  if (p.tiers[task.tier]) out.push(tierScope(task.tier));
  return out;
}

/** The state of one scope in the view, or null when the view has no cap for it. */
export function scopeState(view: BudgetView, key: BudgetScopeKey): ScopeState | null {
  const budget = view.scopes[key];
  if (!budget) return null;
  const used = budget.spentMicros + budget.reservedMicros;
  const limit = budget.limitMicros;
  return {
    key,
    limitMicros: limit,
    usedMicros: used,
    remainingMicros: Math.max(0, limit - used),
    usedPct: limit === 0 ? 100 : Math.floor((used * 100) / limit),
    exhausted: used >= limit,
  };
}

/** What `budgetStatus` reports for a set of scopes. */
export interface BudgetStatus {
  scopes: ScopeState[];
  exhausted: BudgetScopeKey[];
  /** The least remaining across the capped scopes; null when none is capped. */
  remainingMicros: number | null;
}

/** Which of `scopes` are exhausted and how much money remains in the tightest of them. */
export function budgetStatus(view: BudgetView, scopes: readonly BudgetScopeKey[]): BudgetStatus {
  const states = scopes.map((key) => scopeState(view, key)).filter((s): s is ScopeState => s !== null);
  return {
    scopes: states,
    exhausted: states.filter((s) => s.exhausted).map((s) => s.key),
    remainingMicros: states.length === 0 ? null : Math.min(...states.map((s) => s.remainingMicros)),
  };
}

/** Whether a reservation fits, and if not, the scopes it would overrun. */
export interface AdmissionDecision {
  admit: boolean;
  blocking: ScopeState[];
}

/**
 * Would a reservation of `amountMicros` fit in every scope (used + amount ≤ cap)? A $0 call
 * always fits, even in an exhausted scope. This is the rule only: the router applies it
 * atomically in Postgres (check and reserve in one statement) so replicas cannot overrun a cap.
 */
export function admissionDecision(
  view: BudgetView,
  scopes: readonly BudgetScopeKey[],
  amountMicros: number,
): AdmissionDecision {
  assertMicros(amountMicros, 'amountMicros');
  if (amountMicros === 0) return { admit: true, blocking: [] };
  const blocking: ScopeState[] = [];
  for (const key of scopes) {
    const state = scopeState(view, key);
    if (state && state.usedMicros + amountMicros > state.limitMicros) blocking.push(state);
  }
  return { admit: blocking.length === 0, blocking };
}

function assertMicros(value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ForgeError('BAD_INPUT', `${field}: must be a non-negative integer (micro-USD)`, {
      retryable: false,
    });
  }
}
