import type { ModelTier } from './model-tier.js';

/**
 * A budget scope's key, as the router stores usage under it: the month total, one agent, one
 * model tier, or one API principal. The period (the UTC month) is the router's to track.
 */
export type BudgetScopeKey = 'month' | `agent:${string}` | `tier:${ModelTier}` | `principal:${string}`;

export function agentScope(agent: string): BudgetScopeKey {
  return `agent:${agent}`;
}

export function tierScope(tier: ModelTier): BudgetScopeKey {
  return `tier:${tier}`;
}

export function principalScope(principal: string): BudgetScopeKey {
  return `principal:${principal}`;
}

/** How a scope reads in a reason: `month`, `agent scout`, `tier frontier`, `principal alice`. */
export function scopeLabel(key: BudgetScopeKey): string {
  const colon = key.indexOf(':');
  return colon < 0 ? key : `${key.slice(0, colon)} ${key.slice(colon + 1)}`;
}
