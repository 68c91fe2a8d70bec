import {
  type BudgetScopeKey,
  type BudgetView,
  budgetView,
  type RoutingConfig,
  type ScopeUsage,
} from '@forge/policy';
import { budgetPeriod, PgBudgetRepository } from '@forge/store';
import type pg from 'pg';

/**
 * The budgets as the router sees them before a decision: every scope the config caps, with its
 * settled spend and live holds this UTC month, in one query (the router's own read).
 */
export async function readBudgetView(
  pool: pg.Pool,
  schema: string,
  config: RoutingConfig,
  now: Date,
): Promise<BudgetView> {
  const keys = Object.keys(budgetView(config).scopes) as BudgetScopeKey[];
  if (keys.length === 0) return budgetView(config);
  const usage = await new PgBudgetRepository(pool, schema).usage(budgetPeriod(now), keys);
  const byScope: Partial<Record<BudgetScopeKey, ScopeUsage>> = {};
  for (const [key, value] of usage) byScope[key as BudgetScopeKey] = value;
  return budgetView(config, byScope);
}
