import type { OriginKind, Tier } from '@forge/contracts';
import { maxTier, minTier } from '@forge/contracts';
import type { RoutingRule } from './routing-rule.js';
import { compileSkillGlob } from './skill-glob.js';

/** What rules can look at, gathered once per decision. */
export interface RuleFacts {
  skill: string;
  agent: string;
  origin: OriginKind;
  partner: string | undefined;
  principal: string | undefined;
  inputTokens: number;
  jsonRequested: boolean;
  toolsRequested: boolean;
  /** The router's backlog; unknown (undefined) never matches `pendingTasksAbove`. */
  pendingTasks: number | undefined;
  utcHour: number;
}

/** A rule turned into predicates once per config, so each decision only runs comparisons. */
export interface CompiledRule {
  name: string;
  matches(facts: RuleFacts): boolean;
  /** The tier after this rule, for a model tier (rules never move `tool`). */
  apply(tier: Tier): Tier;
  /** `at least mid`, `at most small`, with the rule's reason when it has one. */
  effect: string;
}

export function compileRule(rule: RoutingRule): CompiledRule {
  const checks: ((f: RuleFacts) => boolean)[] = [];
  const w = rule.when;
  if (w.skill) {
    const globs = w.skill.map(compileSkillGlob);
    checks.push((f) => globs.some((g) => g(f.skill)));
  }
  if (w.agent) checks.push(inSet(new Set(w.agent), (f) => f.agent));
  if (w.origin) checks.push(inSet(new Set<string>(w.origin), (f) => f.origin));
  if (w.partner) {
    const partners = new Set(w.partner);
    checks.push((f) => f.origin === 'partner' && f.partner !== undefined && partners.has(f.partner));
  }
  if (w.principal) checks.push(inSet(new Set(w.principal), (f) => f.principal));
  const above = w.inputTokensAbove;
  if (above !== undefined) checks.push((f) => f.inputTokens > above);
  const atMostTokens = w.inputTokensAtMost;
  if (atMostTokens !== undefined) checks.push((f) => f.inputTokens <= atMostTokens);
  const json = w.jsonRequested;
  if (json !== undefined) checks.push((f) => f.jsonRequested === json);
  const tools = w.toolsRequested;
  if (tools !== undefined) checks.push((f) => f.toolsRequested === tools);
  const pending = w.pendingTasksAbove;
  if (pending !== undefined) checks.push((f) => f.pendingTasks !== undefined && f.pendingTasks > pending);
  const hours = w.utcHours;
  if (hours) {
    const { from, to } = hours;
    checks.push(
      from < to ? (f) => f.utcHour >= from && f.utcHour < to : (f) => f.utcHour >= from || f.utcHour < to,
    );
  }
  const { atLeast, atMost } = rule.tier;
  const words = [atLeast && `at least ${atLeast}`, atMost && `at most ${atMost}`].filter(Boolean).join(', ');
  return {
    name: rule.name,
    matches: (facts) => checks.every((check) => check(facts)),
    apply: (tier) => {
      let next = tier;
      if (atLeast) next = maxTier(next, atLeast);
      if (atMost) next = minTier(next, atMost);
      return next;
    },
    effect: rule.reason ? `${words} (${rule.reason})` : words,
  };
}

function inSet(values: ReadonlySet<string>, pick: (f: RuleFacts) => string | undefined) {
  return (f: RuleFacts) => {
    const value = pick(f);
    return value !== undefined && values.has(value);
  };
}
