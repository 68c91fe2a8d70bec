import type { ModelId, Tier } from '@forge/contracts';
import { agentScope, type BudgetScopeKey, principalScope, tierScope } from './budget-scope.js';
import type { BudgetLimit, OnExhausted } from './budgets-config.js';
import { MODEL_TIERS, type ModelTier } from './model-tier.js';
import { usdToMicros } from './money.js';
import type { SkillRoute } from './route-config.js';
import type { RoutingConfig } from './routing-config.js';
import { type CompiledRule, compileRule } from './rule-match.js';
import { isFreeTier } from './tier-models.js';

/** A budget scope's policy from config, money in micro-USD. */
export interface ScopePolicy {
  key: BudgetScopeKey;
  limitMicros: number;
  onExhausted: OnExhausted;
  downgradeAtPct: number;
}

/** The routing config arranged for lookups; built once per config object. */
export interface CompiledPolicy {
  routes: ReadonlyMap<string, SkillRoute>;
  rules: readonly CompiledRule[];
  /** Principals whose default route names a tier (not `auto`). */
  principalRoutes: ReadonlyMap<string, Tier>;
  month: ScopePolicy | undefined;
  agents: ReadonlyMap<string, ScopePolicy>;
  principals: ReadonlyMap<string, ScopePolicy>;
  tiers: Readonly<Partial<Record<ModelTier, ScopePolicy>>>;
  /** Every configured scope by key. */
  scopes: ReadonlyMap<BudgetScopeKey, ScopePolicy>;
  freeTier: Readonly<Record<ModelTier, boolean>>;
  firstModel: Readonly<Record<ModelTier, ModelId>>;
}

const cache = new WeakMap<RoutingConfig, CompiledPolicy>();

/**
 * The compiled form of `config`, cached per object: configs are frozen when parsed, so the
 * cache never goes stale, and the hot path (one decision per task) only does lookups.
 */
export function compiledPolicy(config: RoutingConfig): CompiledPolicy {
  let compiled = cache.get(config);
  if (!compiled) {
    compiled = compile(config);
    cache.set(config, compiled);
  }
  return compiled;
}

function compile(config: RoutingConfig): CompiledPolicy {
  const scopes = new Map<BudgetScopeKey, ScopePolicy>();
  const scope = (key: BudgetScopeKey, limit: BudgetLimit): ScopePolicy => {
    const policy = {
      key,
      limitMicros: usdToMicros(limit.usd),
      onExhausted: limit.onExhausted,
      downgradeAtPct: limit.downgradeAtPct,
    };
    scopes.set(key, policy);
    return policy;
  };
  const { budgets } = config;
  const month = budgets.month ? scope('month', budgets.month) : undefined;
  const agents = new Map(Object.entries(budgets.perAgent).map(([a, l]) => [a, scope(agentScope(a), l)]));
  const principalLimits: [string, BudgetLimit][] = [
    ...Object.entries(budgets.perPrincipal),
    ...Object.entries(config.principals).flatMap(([p, c]): [string, BudgetLimit][] =>
      c.budget ? [[p, c.budget]] : [],
    ),
  ];
  const principals = new Map(principalLimits.map(([p, l]) => [p, scope(principalScope(p), l)]));
  const tiers: Partial<Record<ModelTier, ScopePolicy>> = {};
  for (const tier of MODEL_TIERS) {
    const limit = budgets.perTier[tier];
    if (limit) tiers[tier] = scope(tierScope(tier), limit);
  }
  const principalRoutes = new Map<string, Tier>();
  for (const [name, principal] of Object.entries(config.principals)) {
    if (principal.defaultRoute !== 'auto') principalRoutes.set(name, principal.defaultRoute);
  }
  return {
    routes: new Map(Object.entries(config.routes)),
    rules: config.rules.map(compileRule),
    principalRoutes,
    month,
    agents,
    principals,
    tiers,
    scopes,
    freeTier: {
      small: isFreeTier(config, 'small'),
      mid: isFreeTier(config, 'mid'),
      frontier: isFreeTier(config, 'frontier'),
    },
    firstModel: {
      small: config.tiers.small[0]!,
      mid: config.tiers.mid[0]!,
      frontier: config.tiers.frontier[0]!,
    },
  };
}
