import type { Origin, SkillManifest } from '@forge/contracts';
import { estimateTokens } from '@forge/models';
import {
  type BudgetScopeKey,
  type BudgetView,
  budgetView,
  decideRoute,
  type RouteDecision,
  type RoutingConfig,
  type ScopeUsage,
} from '@forge/policy';
import { type BudgetRepository, budgetPeriod, untilQueryDeadline, withoutQueryDeadline } from '@forge/store';

/** What one routing decision needs to know about the work. */
export interface DecideInput {
  skill: Pick<SkillManifest, 'skill' | 'agent' | 'tierHint' | 'critical'>;
  origin: Origin;
  /** The API principal that asked (rules and per-principal budgets read it). */
  principal?: string | undefined;
  tokensEstimate: number;
  jsonRequested?: boolean;
  toolsRequested?: boolean;
}

/** A decision and the budgets as it saw them (recorded with the decision). */
export interface Decided {
  decision: RouteDecision;
  config: RoutingConfig;
  budget: BudgetView;
}

/** How old the budget view recorded with a `tool` decision may be (the budget plays no part in it). */
export const TOOL_VIEW_MAX_AGE_MS = 250;

/**
 * Runs the policy's `decideRoute` against live numbers: the budgets' spend and live holds this
 * month (one query for every scope the config caps) and the router's backlog.
 */
export class RouteDecider {
  readonly #budgets: BudgetRepository;
  readonly #backlog: () => number | undefined;
  readonly #viewTtlMs: number;
  readonly #toolViewMaxAgeMs: number;
  #view: { config: RoutingConfig; period: string; at: number; view: Promise<BudgetView> } | undefined;

  /**
   * `viewTtlMs` (default 250): a budget view this young is reused, so a burst of decisions costs
   * one usage query. Decisions only choose a tier; admission before every call is the hard check.
   * `toolViewMaxAgeMs` (default TOOL_VIEW_MAX_AGE_MS): the same for the view a `tool` decision
   * records (see `decide`).
   */
  constructor(deps: {
    budgets: BudgetRepository;
    backlog?: () => number | undefined;
    viewTtlMs?: number;
    toolViewMaxAgeMs?: number;
  }) {
    this.#budgets = deps.budgets;
    this.#backlog = deps.backlog ?? (() => undefined);
    this.#viewTtlMs = deps.viewTtlMs ?? 250;
    this.#toolViewMaxAgeMs = deps.toolViewMaxAgeMs ?? TOOL_VIEW_MAX_AGE_MS;
  }

  /** The budget view now: every capped scope with its spend and live holds this UTC month; one
   *  read at most `maxAgeMs` old (default `viewTtlMs`) is reused. */
  budgetView(config: RoutingConfig, now = new Date(), maxAgeMs = this.#viewTtlMs): Promise<BudgetView> {
    const period = budgetPeriod(now);
    const cached = this.#view;
    if (cached && cached.config === config && cached.period === period && Date.now() - cached.at < maxAgeMs) {
      return untilQueryDeadline(cached.view);
    }
    // Shared by every decision in the next `maxAgeMs`: read under no one caller's query deadline
    // (a short one would fail the others), each caller waiting for it until its own.
    const view = withoutQueryDeadline(() => this.#read(config, period));
    this.#view = { config, period, at: Date.now(), view };
    // A failed read is not kept: the next decision asks again.
    view.catch(() => {
      if (this.#view?.view === view) this.#view = undefined;
    });
    return untilQueryDeadline(view);
  }

  async #read(config: RoutingConfig, period: string): Promise<BudgetView> {
    const keys = Object.keys(budgetView(config).scopes) as BudgetScopeKey[];
    if (keys.length === 0) return budgetView(config);
    const usage = await this.#budgets.usage(period, keys);
    const byScope: Partial<Record<BudgetScopeKey, ScopeUsage>> = {};
    for (const [key, value] of usage) byScope[key as BudgetScopeKey] = value;
    return budgetView(config, byScope);
  }

  /**
   * Decides on `config` (the effective config). When the budget would refuse, queue or downgrade
   * the task and `zeroCost` (the same config narrowed to each tier's $0 models) routes it without
   * that, the `zeroCost` decision stands: a $0 model is never blocked by an exhausted budget.
   */
  async decide(
    config: RoutingConfig,
    input: DecideInput,
    now = new Date(),
    zeroCost: RoutingConfig = config,
  ): Promise<Decided> {
    // A task whose route is `tool` (never a critical one: those end at frontier) costs $0: no
    // budget step runs for it and no view of the budgets can change its decision (see
    // decideRoute), so it does not wait for a fresh read of them. It records a view at most
    // TOOL_VIEW_MAX_AGE_MS old, as endpoint calls use: one usage query per 250 ms of such tasks
    // instead of one per task.
    const blind = this.#decide(config, input, budgetView(config), now);
    if (blind.tier === 'tool' && blind.budgetAction === 'none') {
      const seen = await this.budgetView(config, now, Math.max(this.#viewTtlMs, this.#toolViewMaxAgeMs));
      return { decision: blind, config, budget: seen };
    }
    const budget = await this.budgetView(config, now);
    const decision = this.#decide(config, input, budget, now);
    if (decision.budgetAction === 'none' || zeroCost === config) return { decision, config, budget };
    const free = this.#decide(zeroCost, input, budget, now);
    const routes = (d: RouteDecision) => d.budgetAction === 'none' || d.budgetAction === 'downgraded';
    const better = free.budgetAction === 'none' || (routes(free) && !routes(decision));
    return better ? { decision: free, config: zeroCost, budget } : { decision, config, budget };
  }

  #decide(config: RoutingConfig, input: DecideInput, budget: BudgetView, now: Date): RouteDecision {
    const pending = this.#backlog();
    return decideRoute({
      skill: input.skill,
      config,
      input: {
        tokensEstimate: input.tokensEstimate,
        jsonRequested: input.jsonRequested === true,
        toolsRequested: input.toolsRequested === true,
      },
      origin: input.origin,
      ...(input.principal === undefined ? {} : { principal: input.principal }),
      budget,
      ...(pending === undefined ? {} : { load: { pendingTasks: pending } }),
      now,
    });
  }
}

/** A task input's size in tokens, estimated from its JSON (what the input-size rules read). */
export function inputTokensEstimate(input: unknown): number {
  if (input === undefined || input === null) return 0;
  return estimateTokens(typeof input === 'string' ? input : JSON.stringify(input));
}

/**
 * The API principal of a task: the owner of work that came in over A2A, a partner's principal
 * (`partner:<name>`, so `budgets.perPrincipal` caps a partner) for partner work; none otherwise.
 */
export function principalOf(origin: Origin): string | undefined {
  return origin.kind === 'a2a' || origin.kind === 'partner' ? origin.by : undefined;
}
