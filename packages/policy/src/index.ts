export { agentScope, type BudgetScopeKey, principalScope, scopeLabel, tierScope } from './budget-scope.js';
export type { BudgetAction } from './budget-step.js';
export {
  type AdmissionDecision,
  admissionDecision,
  type BudgetStatus,
  type BudgetView,
  budgetStatus,
  budgetView,
  type ScopeBudget,
  type ScopeState,
  type ScopeUsage,
  scopeState,
  taskBudgetScopes,
} from './budget-view.js';
export {
  BudgetLimit,
  BudgetsConfig,
  OnExhausted,
  PrincipalConfig,
  PrincipalName,
} from './budgets-config.js';
export { type ConfigIssue, crossCheckRoutingConfig } from './config-cross-checks.js';
export { formatConfigPath } from './config-issues.js';
export {
  decideRoute,
  type RouteDecision,
  type RouteRequest,
  type RouteStep,
  type RouteStepKind,
  toRoutingDecision,
} from './decide-route.js';
export { Duration, formatDuration } from './duration.js';
export {
  effectiveRoutingConfig,
  providerKey,
  reachableProviders,
  zeroCostRoutingConfig,
} from './effective-config.js';
export { type EscalationPolicy, escalationPolicyFor, nextEscalation } from './escalation.js';
export { EscalationConfig } from './escalation-config.js';
export { GatewayConfig } from './gateway-config.js';
export { loadRoutingConfigFile } from './load-routing-config-file.js';
export { isModelTier, MODEL_TIERS, ModelTier, tierAbove } from './model-tier.js';
export { formatMicros, MICROS_PER_USD, usdToMicros } from './money.js';
export { parseRoutingConfig, routingConfigFromObject } from './parse-routing-config.js';
export { ConfigModelPrice, isZeroPrice, PriceField } from './price-config.js';
export { BaseUrl, CompatibleServerName, EnvVarName, ProvidersConfig } from './providers-config.js';
export { MAX_DEFERRAL_MS, SkillRoute } from './route-config.js';
export { type RoutingConfig, type RoutingConfigInput, RoutingConfigSchema } from './routing-config.js';
export { RoutingRule, RuleEffect, RuleWhen } from './routing-rule.js';
export { discountsFor, type SkillDiscounts } from './skill-discounts.js';
export { SkillGlob } from './skill-glob.js';
export {
  isFreeTier,
  type ModelCandidate,
  offlineStandIn,
  providerOf,
  tierCandidates,
} from './tier-models.js';
