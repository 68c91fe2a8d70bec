import type { ModelId, Origin, OriginKind, SkillManifest, Tier } from '@forge/contracts';
import { estimateTokens } from '@forge/models';
import {
  type BudgetAction,
  type BudgetScopeKey,
  type BudgetView,
  budgetStatus,
  decideRoute,
  type RouteDecision,
  type RouteStep,
  type RoutingConfig,
} from '@forge/policy';

/** What `forge route explain --json` prints. Money is integer micro-USD. */
export interface RouteExplanation {
  readonly skill: string;
  readonly agent: string;
  readonly tier: Tier;
  /** The tier's first model, or null for `tool`. */
  readonly model: ModelId | null;
  /** Every step that applied, in order, in words; the last one explains the tier. */
  readonly reasons: string[];
  readonly steps: RouteStep[];
  readonly critical: boolean;
  readonly maxTier: Tier;
  readonly budgetAction: BudgetAction;
  readonly policyVersion: string;
  /** The capped scopes a call at this tier counts against, as they stand now. */
  readonly budgets: {
    readonly scope: BudgetScopeKey;
    readonly limitMicros: number;
    readonly usedMicros: number;
    readonly remainingMicros: number;
    readonly exhausted: boolean;
  }[];
  readonly input: { readonly tokensEstimate: number };
  readonly origin: Origin;
  /** The API principal the rules and budgets read (an a2a origin's owner), else null. */
  readonly principal: string | null;
  /** The backlog the rules saw, or null when not given (the backlog rules do not match then). */
  readonly pendingTasks: number | null;
  /** True when the budget would have blocked or lowered the task and a $0 model of its tier took it. */
  readonly zeroCost: boolean;
}

/** The question: a skill, a would-be task's input and who sends it, the budgets now. */
export interface ExplainRequest {
  readonly manifest: Pick<SkillManifest, 'skill' | 'agent' | 'tierHint' | 'critical'>;
  /** The effective config (@forge/policy `effectiveRoutingConfig`): what the router decides on. */
  readonly config: RoutingConfig;
  /** Its $0 narrowing (@forge/policy `zeroCostRoutingConfig`); the same object when nothing narrows. */
  readonly zeroCost?: RoutingConfig | undefined;
  readonly input: unknown;
  readonly brain: string;
  readonly originKind: OriginKind;
  readonly principal: string;
  readonly budget: BudgetView;
  readonly pendingTasks?: number | undefined;
  readonly now: Date;
}

/**
 * The origin a task of this kind would carry. For `partner`, the principal names the partner
 * company as well; the router reads a principal (rules, budgets) only from an a2a origin.
 */
export function originFor(kind: OriginKind, brain: string, principal: string): Origin {
  return kind === 'partner'
    ? { kind, brain, partner: principal, by: principal }
    : { kind, brain, by: principal };
}

/** The router's size estimate of a task input: its JSON (or the string itself) at chars/4. */
export function inputTokens(input: unknown): number {
  if (input === undefined || input === null) return 0;
  return estimateTokens(typeof input === 'string' ? input : JSON.stringify(input));
}

/** Whether a decision lets the task run (possibly on a lower tier). */
const routes = (d: RouteDecision) => d.budgetAction === 'none' || d.budgetAction === 'downgraded';

/**
 * Runs `decideRoute` exactly as the router's route consumer does for a new task (manifest,
 * input-size estimate, origin, a2a principal, budget view, optional backlog; on the effective
 * config, then on its $0 narrowing when the budget would refuse, queue or lower the task, keeping
 * that one when it routes better) and lays the decision out with the budgets it weighed.
 */
export function explainRoute(request: ExplainRequest): RouteExplanation {
  const { manifest, config, brain, originKind, budget, now } = request;
  const origin = originFor(originKind, brain, request.principal);
  const principal = origin.kind === 'a2a' ? origin.by : undefined;
  const tokensEstimate = inputTokens(request.input);
  const decideOn = (on: RoutingConfig) =>
    decideRoute({
      skill: manifest,
      config: on,
      input: { tokensEstimate, jsonRequested: false, toolsRequested: false },
      origin,
      ...(principal === undefined ? {} : { principal }),
      budget,
      ...(request.pendingTasks === undefined ? {} : { load: { pendingTasks: request.pendingTasks } }),
      now,
    });
  let decision = decideOn(config);
  let zeroCost = false;
  const free = request.zeroCost ?? config;
  if (decision.budgetAction !== 'none' && free !== config) {
    const onFree = decideOn(free);
    if (onFree.budgetAction === 'none' || (routes(onFree) && !routes(decision))) {
      decision = onFree;
      zeroCost = true;
    }
  }
  return {
    skill: manifest.skill,
    agent: manifest.agent,
    tier: decision.tier,
    model: decision.model,
    reasons: decision.reasons,
    steps: decision.steps,
    critical: decision.critical,
    maxTier: decision.maxTier,
    budgetAction: decision.budgetAction,
    policyVersion: decision.policyVersion,
    budgets: budgetStatus(budget, decision.budgetScopes).scopes.map((state) => ({
      scope: state.key,
      limitMicros: state.limitMicros,
      usedMicros: state.usedMicros,
      remainingMicros: state.remainingMicros,
      exhausted: state.exhausted,
    })),
    input: { tokensEstimate },
    origin,
    principal: principal ?? null,
    pendingTasks: request.pendingTasks ?? null,
    zeroCost,
  };
}
