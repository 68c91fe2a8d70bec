import {
  ForgeError,
  type ModelId,
  type Origin,
  type RoutingDecision,
  type SkillManifest,
  type Tier,
} from '@forge/contracts';
import type { BudgetScopeKey } from './budget-scope.js';
import { type BudgetAction, budgetStep } from './budget-step.js';
import { type BudgetView, taskBudgetScopes } from './budget-view.js';
import { compiledPolicy } from './compiled-policy.js';
import { type EscalationPolicy, escalationPolicyFor } from './escalation.js';
import { isModelTier, tierAbove } from './model-tier.js';
import type { RoutingConfig } from './routing-config.js';
import type { RuleFacts } from './rule-match.js';

/** Everything one routing decision reads. Pure: the same request always gives the same decision. */
export interface RouteRequest {
  skill: Pick<SkillManifest, 'skill' | 'agent' | 'tierHint' | 'critical'>;
  config: RoutingConfig;
  input: { tokensEstimate: number; jsonRequested?: boolean; toolsRequested?: boolean };
  origin: Origin;
  /** The API principal that asked, when the task came through an API edge. */
  principal?: string;
  budget: BudgetView;
  /** The router's backlog at decision time; rules on load never match when absent. */
  load?: { pendingTasks: number };
  now: Date;
}

/** The step kinds of a decision, in the only order they can occur. */
export type RouteStepKind = 'base' | 'rule' | 'max-tier' | 'budget' | 'critical-floor';

/** One step that applied: its kind, the tier after it, and why in words. */
export interface RouteStep {
  kind: RouteStepKind;
  tier: Tier;
  text: string;
}

/** A routing decision with everything the router stamps, records and enforces. */
export interface RouteDecision {
  tier: Tier;
  /** The tier's first model (`provider:model`), or null for `tool`. */
  model: ModelId | null;
  /** `steps` in words, in order; the last one explains the final tier. */
  reasons: string[];
  steps: RouteStep[];
  critical: boolean;
  /** The ceiling for escalation: the route's `maxTier`, frontier for a critical skill. */
  maxTier: Tier;
  policyVersion: string;
  /** `queue`: hold the task for a person's approval; `reject`: refuse it (BUDGET_EXHAUSTED). */
  budgetAction: BudgetAction;
  /** The budget scopes the gateway reserves against at this tier. */
  budgetScopes: BudgetScopeKey[];
  escalation: EscalationPolicy;
}

/**
 * Decides a task's tier, in this order (it always holds): base = the skill's route in config,
 * else the principal's default route, else the skill's tier hint → rules in config order (model
 * tiers only; `tool` stays `tool`) → the route's `maxTier` caps → the budget may lower the tier,
 * queue or reject the task → last, the critical floor: a skill critical by its manifest or by
 * config never ends below frontier. A `tool` task costs $0 and no budget blocks it.
 * Throws BAD_INPUT naming the field for a negative or non-finite token estimate or invalid `now`.
 */
export function decideRoute(request: RouteRequest): RouteDecision {
  const { skill, config, input, origin, principal, budget, load, now } = request;
  if (!Number.isFinite(input.tokensEstimate) || input.tokensEstimate < 0) {
    throw badInput('input.tokensEstimate', 'must be a non-negative number');
  }
  const hour = now.getUTCHours();
  if (Number.isNaN(hour)) throw badInput('now', 'must be a valid date');

  const p = compiledPolicy(config);
  const route = p.routes.get(skill.skill);
  const steps: RouteStep[] = [];

  let tier: Tier;
  const principalRoute = principal === undefined ? undefined : p.principalRoutes.get(principal);
  if (route?.tier !== undefined) {
    tier = route.tier;
    steps.push({ kind: 'base', tier, text: `base: route in config says ${tier}` });
  } else if (principalRoute !== undefined) {
    tier = principalRoute;
    steps.push({ kind: 'base', tier, text: `base: principal ${principal}'s default route says ${tier}` });
  } else {
    tier = skill.tierHint;
    steps.push({ kind: 'base', tier, text: `base: the skill's tier hint says ${tier}` });
  }

  const critical = skill.critical || route?.critical === true;
  const maxTier: Tier = critical ? 'frontier' : (route?.maxTier ?? 'frontier');

  if (isModelTier(tier)) {
    if (p.rules.length > 0) {
      const facts: RuleFacts = {
        skill: skill.skill,
        agent: skill.agent,
        origin: origin.kind,
        partner: origin.partner,
        principal,
        inputTokens: input.tokensEstimate,
        jsonRequested: input.jsonRequested === true,
        toolsRequested: input.toolsRequested === true,
        pendingTasks: load?.pendingTasks,
        utcHour: hour,
      };
      for (const rule of p.rules) {
        if (!rule.matches(facts)) continue;
        const next = rule.apply(tier);
        const text = `rule ${rule.name}: ${rule.effect}${next === tier ? `, already ${tier}` : ''}`;
        tier = next;
        steps.push({ kind: 'rule', tier, text });
      }
    }
    if (tierAbove(tier, maxTier)) {
      tier = maxTier;
      steps.push({ kind: 'max-tier', tier, text: `max tier: ${skill.skill} is capped at ${tier}` });
    }
  }

  // Budgets judge the tier that will be paid for: frontier for a critical skill, whose floor
  // comes after this step (so a critical `tool` skill is checked too).
  let budgetAction: BudgetAction = 'none';
  const paidTier: Tier = critical ? 'frontier' : tier;
  if (isModelTier(paidTier)) {
    const result = budgetStep(p, budget, {
      tier: paidTier,
      critical,
      agent: skill.agent,
      principal,
    });
    budgetAction = result.action;
    if (result.text !== null) {
      if (!critical) tier = result.tier;
      steps.push({ kind: 'budget', tier: critical ? result.tier : tier, text: result.text });
    }
  }

  if (critical) {
    const already = tier === 'frontier';
    tier = 'frontier';
    const by = skill.critical ? 'declared critical by its skill' : 'marked critical in config';
    steps.push({
      kind: 'critical-floor',
      tier,
      text: `critical floor: frontier (${skill.skill} is ${by}${already ? '' : ', raised from below'})`,
    });
  }

  return {
    tier,
    model: isModelTier(tier) ? p.firstModel[tier] : null,
    reasons: steps.map((s) => s.text),
    steps,
    critical,
    maxTier,
    policyVersion: config.version,
    budgetAction,
    budgetScopes: taskBudgetScopes(config, { agent: skill.agent, tier, principal }),
    escalation: escalationPolicyFor(config, skill.skill),
  };
}

/** The contracts' `RoutingDecision` to stamp on the task envelope and store with the task. */
export function toRoutingDecision(decision: RouteDecision, decidedAt: Date): RoutingDecision {
  return {
    tier: decision.tier,
    model: decision.model,
    reasons: decision.reasons,
    policyVersion: decision.policyVersion,
    decidedAt: decidedAt.toISOString(),
  };
}

function badInput(field: string, message: string): ForgeError {
  return new ForgeError('BAD_INPUT', `${field}: ${message}`, { retryable: false });
}
