import { ModelId, type Tier } from '@forge/contracts';
import type { z } from 'zod';
import type { BudgetLimit } from './budgets-config.js';
import { MODEL_TIERS, type ModelTier, tierAbove } from './model-tier.js';
import type { ConfigModelPrice } from './price-config.js';
import type { ProvidersConfig } from './providers-config.js';
import type { SkillRoute } from './route-config.js';
import type { RoutingRule } from './routing-rule.js';

/** A problem found across fields, with the path of the field to fix. */
export interface ConfigIssue {
  path: (string | number)[];
  message: string;
}

/** The parts of a routing config the cross-field checks read (the schema's output before checks). */
export interface CrossCheckInput {
  tiers: Record<ModelTier, string[]>;
  prices: Record<string, ConfigModelPrice>;
  providers: ProvidersConfig;
  routes: Record<string, SkillRoute>;
  rules: RoutingRule[];
  budgets: { perPrincipal: Record<string, BudgetLimit> };
  principals: Record<string, { budget?: BudgetLimit | undefined }>;
  gateway: {
    timeouts: { firstTokenMs: number; idleMs: number; totalMs: number };
    retries: { backoffBaseMs: number; backoffMaxMs: number };
  };
}

/**
 * Checks that need more than one field: every model in a tier has a price (offline models are
 * $0 and need none), every `openai-compatible:<server>/<model>` names a configured server,
 * offline stand-ins are priced, routes are consistent with their ceilings and the critical mark,
 * rule names are unique, a principal's budget is set in one place only, and gateway times agree.
 * Returns every issue found, in the order of the file's sections.
 */
export function crossCheckRoutingConfig(config: CrossCheckInput): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const tier of MODEL_TIERS) {
    const seen = new Set<string>();
    for (const [i, model] of config.tiers[tier].entries()) {
      const path = ['tiers', tier, i];
      if (seen.has(model)) issues.push({ path, message: `${model} is listed twice in ${tier}` });
      seen.add(model);
      issues.push(...checkModelReachable(model, path, config));
    }
  }
  for (const tier of MODEL_TIERS) {
    const standIn = config.providers.offline.standIns[tier];
    if (standIn === undefined) continue;
    const path = ['providers', 'offline', 'standIns', tier];
    if (standIn.startsWith('offline:')) {
      issues.push({ path, message: 'a stand-in must be a priced model, not an offline one' });
    } else if (!config.prices[standIn]) {
      issues.push({ path, message: `no price for ${standIn}: add it under prices` });
    }
  }
  for (const [skill, route] of Object.entries(config.routes)) {
    issues.push(...checkRoute(skill, route));
  }
  const ruleNames = new Map<string, number>();
  for (const [i, rule] of config.rules.entries()) {
    const first = ruleNames.get(rule.name);
    if (first !== undefined) {
      issues.push({
        path: ['rules', i, 'name'],
        message: `${rule.name} is already the name of rules[${first}]`,
      });
    } else {
      ruleNames.set(rule.name, i);
    }
  }
  for (const [name, principal] of Object.entries(config.principals)) {
    if (principal.budget && config.budgets.perPrincipal[name]) {
      issues.push({
        path: ['principals', name, 'budget'],
        message: `the budget of ${name} is also set in budgets.perPrincipal; keep one`,
      });
    }
  }
  const { timeouts, retries } = config.gateway;
  if (timeouts.firstTokenMs > timeouts.totalMs) {
    issues.push({ path: ['gateway', 'timeouts', 'firstTokenMs'], message: 'must not exceed totalMs' });
  }
  if (timeouts.idleMs > timeouts.totalMs) {
    issues.push({ path: ['gateway', 'timeouts', 'idleMs'], message: 'must not exceed totalMs' });
  }
  if (retries.backoffBaseMs > retries.backoffMaxMs) {
    issues.push({ path: ['gateway', 'retries', 'backoffBaseMs'], message: 'must not exceed backoffMaxMs' });
  }
  return issues;
}

function checkModelReachable(
  model: string,
  path: (string | number)[],
  config: CrossCheckInput,
): ConfigIssue[] {
  if (!ModelId.safeParse(model).success) return [];
  const colon = model.indexOf(':');
  const provider = model.slice(0, colon);
  if (provider === 'offline') return [];
  const issues: ConfigIssue[] = [];
  if (!config.prices[model]) issues.push({ path, message: `no price for ${model}: add it under prices` });
  if (provider === 'openai-compatible') {
    const name = model.slice(colon + 1);
    const slash = name.indexOf('/');
    const server = slash > 0 ? name.slice(0, slash) : '';
    if (slash <= 0 || slash === name.length - 1) {
      issues.push({ path, message: `${model} must be openai-compatible:<server>/<model>` });
    } else if (!config.providers.openaiCompatible[server]) {
      issues.push({ path, message: `server ${server} is not under providers.openaiCompatible` });
    }
  }
  return issues;
}

function checkRoute(skill: string, route: SkillRoute): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const tier: Tier | undefined = route.tier;
  if (route.critical) {
    if (tier !== undefined && tier !== 'frontier') {
      issues.push({
        path: ['routes', skill, 'tier'],
        message: `a critical skill runs at frontier; ${tier} contradicts critical: true`,
      });
    }
    if (route.maxTier !== undefined && route.maxTier !== 'frontier') {
      issues.push({ path: ['routes', skill, 'maxTier'], message: 'a critical skill’s maxTier is frontier' });
    }
  } else if (tier !== undefined && route.maxTier !== undefined && tierAbove(tier, route.maxTier)) {
    issues.push({
      path: ['routes', skill, 'maxTier'],
      message: `must not be below the route's tier (${tier})`,
    });
  }
  if (route.deferrable && tier === 'tool') {
    issues.push({
      path: ['routes', skill, 'deferrable'],
      message: 'a tool-tier skill runs no model: there is no call to defer to a batch',
    });
  }
  return issues;
}

/** Adds cross-field issues to a zod refinement context. */
export function addCrossCheckIssues(config: CrossCheckInput, ctx: z.RefinementCtx): void {
  for (const issue of crossCheckRoutingConfig(config)) {
    ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  }
}
