import type { BudgetView, RoutingConfig } from '@forge/policy';
import { FORGE_METRICS, forgeMeter } from '@forge/telemetry';
import type { ObservableCallback } from '@opentelemetry/api';

const MICROS_PER_USD = 1_000_000;

/**
 * `forge.budget.remaining`: for every scope the routing config caps (`month`, `tier:mid`,
 * `agent:scout`, ...), its cap minus this month's spend and live holds, in USD, read from
 * Postgres at each collection through `view` (never below zero). Returns the function that stops
 * observing.
 */
export function observeBudgetRemaining(
  config: () => RoutingConfig,
  view: (config: RoutingConfig) => Promise<BudgetView>,
): () => void {
  const { budgetRemaining } = FORGE_METRICS;
  const gauge = forgeMeter('router').createObservableGauge(budgetRemaining.name, {
    unit: budgetRemaining.unit,
    description: budgetRemaining.description,
  });
  const callback: ObservableCallback = async (result) => {
    let budgets: BudgetView;
    try {
      budgets = await view(config());
    } catch {
      return; // Postgres unreachable: no value rather than a wrong one.
    }
    for (const [scope, budget] of Object.entries(budgets.scopes)) {
      if (!budget) continue;
      const remaining = Math.max(0, budget.limitMicros - budget.spentMicros - budget.reservedMicros);
      result.observe(remaining / MICROS_PER_USD, { 'forge.budget.scope': scope });
    }
  };
  gauge.addCallback(callback);
  return () => gauge.removeCallback(callback);
}
