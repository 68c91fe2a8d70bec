import type { Origin } from '@forge/contracts';
import { describe, expect, it } from 'vitest';
import { budgetView } from './budget-view.js';
import { decideRoute, type RouteRequest } from './decide-route.js';
import type { RoutingConfig } from './routing-config.js';
import type { RoutingRule } from './routing-rule.js';
import { makeConfig, manifest, NOON, SCHEDULE } from './test-config.fixture.js';

type RuleInput = Omit<RoutingRule, 'when'> & { when: Record<string, unknown> };

function withRules(...rules: RuleInput[]): RoutingConfig {
  return makeConfig({ rules: rules as RoutingRule[] });
}

function decide(config: RoutingConfig, over: Partial<RouteRequest> = {}) {
  return decideRoute({
    skill: manifest('scout.score-headlines', 'small'),
    config,
    input: { tokensEstimate: 1000 },
    origin: SCHEDULE,
    budget: budgetView(config),
    now: NOON,
    ...over,
  });
}

const PARTNER: Origin = { kind: 'partner', brain: 'main', partner: 'acme', by: 'acme:bot' };

describe('rules', () => {
  it('inputTokensAbove lifts only above the threshold', () => {
    const config = withRules({
      name: 'input-large',
      when: { inputTokensAbove: 20000 },
      tier: { atLeast: 'mid' },
    });
    expect(decide(config, { input: { tokensEstimate: 20000 } }).tier).toBe('small');
    const lifted = decide(config, { input: { tokensEstimate: 20001 } });
    expect(lifted.tier).toBe('mid');
    expect(lifted.reasons).toEqual([
      "base: the skill's tier hint says small",
      'rule input-large: at least mid',
    ]);
  });

  it('inputTokensAtMost lowers only at or below the threshold', () => {
    const config = withRules({ name: 'tiny', when: { inputTokensAtMost: 200 }, tier: { atMost: 'small' } });
    const skill = manifest('marketing.write-copy', 'mid');
    expect(decide(config, { skill, input: { tokensEstimate: 200 } }).tier).toBe('small');
    expect(decide(config, { skill, input: { tokensEstimate: 201 } }).tier).toBe('mid');
  });

  it('origin matches the origin kind; partner matches only that partner company', () => {
    const byKind = withRules({
      name: 'partner-origin',
      when: { origin: 'partner' },
      tier: { atLeast: 'mid' },
    });
    expect(decide(byKind, { origin: PARTNER }).tier).toBe('mid');
    expect(decide(byKind).tier).toBe('small');
    const byName = withRules({
      name: 'acme',
      when: { partner: ['acme', 'globex'] },
      tier: { atLeast: 'frontier' },
    });
    expect(decide(byName, { origin: PARTNER }).tier).toBe('frontier');
    expect(decide(byName, { origin: { ...PARTNER, partner: 'initech' } }).tier).toBe('small');
    // An `a2a` origin whose principal happens to be called acme is not the partner acme.
    expect(decide(byName, { origin: { kind: 'a2a', brain: 'main', by: 'acme' } }).tier).toBe('small');
  });

  it('skill globs match by prefix, suffix or exactly, anchored', () => {
    const config = withRules(
      { name: 'scouts', when: { skill: 'scout.*' }, tier: { atLeast: 'mid' } },
      { name: 'reviews', when: { skill: '*.review' }, tier: { atLeast: 'frontier' } },
    );
    expect(decide(config, { skill: manifest('scout.anything', 'small') }).tier).toBe('mid');
    expect(decide(config, { skill: manifest('xscout.anything', 'small') }).tier).toBe('small');
    expect(decide(config, { skill: manifest('legal.review', 'small') }).tier).toBe('frontier');
    expect(decide(config, { skill: manifest('legal.reviewer', 'small') }).tier).toBe('small');
  });

  it('agent and principal match by name; an absent principal never matches', () => {
    const config = withRules(
      { name: 'diary', when: { agent: 'diary' }, tier: { atMost: 'small' } },
      { name: 'vip', when: { principal: 'alice' }, tier: { atLeast: 'frontier' } },
    );
    expect(decide(config, { skill: manifest('diary.write', 'mid') }).tier).toBe('small');
    expect(decide(config, { principal: 'alice' }).tier).toBe('frontier');
    expect(decide(config, { principal: 'bob' }).tier).toBe('small');
    expect(decide(config).tier).toBe('small');
  });

  it('jsonRequested and toolsRequested match the request flags (absent is false)', () => {
    const config = withRules(
      { name: 'tools', when: { toolsRequested: true }, tier: { atLeast: 'mid' } },
      { name: 'plain-text', when: { jsonRequested: false }, tier: { atMost: 'small' } },
    );
    const skill = manifest('engagement.draft-reply', 'mid');
    expect(decide(config, { skill }).tier).toBe('small');
    expect(decide(config, { skill, input: { tokensEstimate: 10, jsonRequested: true } }).tier).toBe('mid');
    const both = decide(config, { skill, input: { tokensEstimate: 10, toolsRequested: true } });
    expect(both.tier).toBe('small');
    expect(both.reasons.slice(1)).toEqual([
      'rule tools: at least mid, already mid',
      'rule plain-text: at most small',
    ]);
  });

  it('pendingTasksAbove reads the load; with no load it never matches', () => {
    const config = withRules({
      name: 'backlog',
      when: { pendingTasksAbove: 100 },
      tier: { atMost: 'mid' },
      reason: 'drain the queue',
    });
    const skill = manifest('diary.synthesize-lessons', 'frontier');
    expect(decide(config, { skill }).tier).toBe('frontier');
    expect(decide(config, { skill, load: { pendingTasks: 100 } }).tier).toBe('frontier');
    const shed = decide(config, { skill, load: { pendingTasks: 101 } });
    expect(shed.tier).toBe('mid');
    expect(shed.reasons.at(-1)).toBe('rule backlog: at most mid (drain the queue)');
  });

  it('utcHours is a half-open range that may wrap midnight', () => {
    const config = withRules({
      name: 'night',
      when: { utcHours: { from: 22, to: 6 } },
      tier: { atMost: 'small' },
    });
    const skill = manifest('marketing.write-copy', 'mid');
    const at = (iso: string) => decide(config, { skill, now: new Date(iso) }).tier;
    expect(at('2026-11-29T22:00:00Z')).toBe('small');
    expect(at('2026-11-29T03:30:00Z')).toBe('small');
    expect(at('2026-11-29T06:00:00Z')).toBe('mid');
    expect(at('2026-11-29T21:59:59Z')).toBe('mid');
    const day = withRules({
      name: 'day',
      when: { utcHours: { from: 9, to: 17 } },
      tier: { atLeast: 'frontier' },
    });
    expect(decide(day, { now: new Date('2026-11-29T09:00:00Z') }).tier).toBe('frontier');
    expect(decide(day, { now: new Date('2026-11-29T17:00:00Z') }).tier).toBe('small');
  });

  it('needs every condition of a rule (AND) and any value of a list (OR)', () => {
    const config = withRules({
      name: 'big-partner',
      when: { origin: ['partner', 'a2a'], inputTokensAbove: 5000 },
      tier: { atLeast: 'frontier' },
    });
    const big = { tokensEstimate: 6000 };
    expect(decide(config, { origin: PARTNER, input: big }).tier).toBe('frontier');
    expect(decide(config, { origin: { kind: 'a2a', brain: 'main', by: 'x' }, input: big }).tier).toBe(
      'frontier',
    );
    expect(decide(config, { origin: PARTNER }).tier).toBe('small');
    expect(decide(config, { input: big }).tier).toBe('small');
  });

  it('runs rules in order, a later rule acting on the earlier result', () => {
    const up = { name: 'up', when: { skill: '*' }, tier: { atLeast: 'frontier' as const } };
    const down = { name: 'down', when: { skill: '*' }, tier: { atMost: 'mid' as const } };
    expect(decide(withRules(up, down)).tier).toBe('mid');
    expect(decide(withRules(down, up)).tier).toBe('frontier');
  });

  it('never moves a tool task, and names no rule for it', () => {
    const config = withRules({ name: 'up', when: { skill: '*' }, tier: { atLeast: 'frontier' } });
    const decision = decide(config, { skill: manifest('scout.parse-feed', 'tool') });
    expect(decision.tier).toBe('tool');
    expect(decision.model).toBeNull();
    expect(decision.reasons).toEqual(["base: the skill's tier hint says tool"]);
  });

  it("is capped by the route's maxTier, and the cap is named", () => {
    const config = makeConfig({
      routes: { 'scout.score-headlines': { maxTier: 'mid' } },
      rules: [{ name: 'up', when: { skill: '*' }, tier: { atLeast: 'frontier' } }],
    });
    const decision = decide(config);
    expect(decision.tier).toBe('mid');
    expect(decision.maxTier).toBe('mid');
    expect(decision.reasons.at(-1)).toBe('max tier: scout.score-headlines is capped at mid');
  });
});
