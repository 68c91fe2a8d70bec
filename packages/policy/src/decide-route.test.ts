import { isForgeError, RoutingDecision } from '@forge/contracts';
import { describe, expect, it } from 'vitest';
import { budgetView } from './budget-view.js';
import { decideRoute, type RouteRequest, toRoutingDecision } from './decide-route.js';
import { escalationPolicyFor, nextEscalation } from './escalation.js';
import type { RoutingConfig } from './routing-config.js';
import { baseConfigObject, makeConfig, manifest, NOON, SCHEDULE } from './test-config.fixture.js';
import { offlineStandIn, tierCandidates } from './tier-models.js';

function decide(config: RoutingConfig, over: Partial<RouteRequest> = {}) {
  return decideRoute({
    skill: manifest('engagement.draft-reply', 'small'),
    config,
    input: { tokensEstimate: 500 },
    origin: SCHEDULE,
    budget: budgetView(config),
    now: NOON,
    ...over,
  });
}

describe('decideRoute: base tier and critical floor', () => {
  it('takes the route in config over the principal default over the tier hint', () => {
    const config = makeConfig({
      routes: { 'engagement.draft-reply': { tier: 'mid' } },
      principals: { alice: { defaultRoute: 'frontier' }, bob: { defaultRoute: 'auto' } },
    });
    expect(decide(config, { principal: 'alice' }).reasons).toEqual(['base: route in config says mid']);
    const other = manifest('engagement.triage', 'small');
    expect(decide(config, { skill: other, principal: 'alice' }).reasons).toEqual([
      "base: principal alice's default route says frontier",
    ]);
    expect(decide(config, { skill: other, principal: 'bob' }).reasons).toEqual([
      "base: the skill's tier hint says small",
    ]);
  });

  it('stamps the tier, its first model, the policy version and the escalation policy', () => {
    const config = makeConfig({
      routes: { 'engagement.draft-reply': { tier: 'mid', escalation: { confidenceBelow: 0.8 } } },
      escalation: { schemaRetries: 2 },
    });
    const decision = decide(config);
    expect(decision).toMatchObject({
      tier: 'mid',
      model: 'anthropic:claude-sonnet-5.5',
      policyVersion: 'test-1',
      critical: false,
      maxTier: 'frontier',
      budgetAction: 'none',
      escalation: { confidenceBelow: 0.8, schemaRetries: 2, onSchemaFailure: true },
    });
    const stamped = toRoutingDecision(decision, NOON);
    expect(RoutingDecision.parse(stamped)).toEqual({
      tier: 'mid',
      model: 'anthropic:claude-sonnet-5.5',
      reasons: ['base: route in config says mid'],
      policyVersion: 'test-1',
      decidedAt: '2026-11-29T12:00:00.000Z',
    });
  });

  it('raises a skill critical by its manifest to frontier, last, above every rule and cap', () => {
    const config = makeConfig({
      routes: { 'compliance.review': { tier: 'frontier', maxTier: 'frontier' } },
      rules: [{ name: 'cheap', when: { skill: '*' }, tier: { atMost: 'small' } }],
    });
    const decision = decide(config, { skill: manifest('compliance.review', 'small', true) });
    expect(decision.tier).toBe('frontier');
    expect(decision.critical).toBe(true);
    expect(decision.reasons).toEqual([
      'base: route in config says frontier',
      'rule cheap: at most small',
      'critical floor: frontier (compliance.review is declared critical by its skill, raised from below)',
    ]);
  });

  it('lets config add the critical mark to a skill that did not declare it', () => {
    const config = makeConfig({ routes: { 'diary.synthesize-lessons': { critical: true } } });
    const decision = decide(config, { skill: manifest('diary.synthesize-lessons', 'mid', false) });
    expect(decision.tier).toBe('frontier');
    expect(decision.critical).toBe(true);
    expect(decision.reasons.at(-1)).toBe(
      'critical floor: frontier (diary.synthesize-lessons is marked critical in config, raised from below)',
    );
  });

  it('refuses a token estimate that is negative or not a number, naming the field', () => {
    const config = makeConfig();
    for (const tokensEstimate of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      let error: unknown;
      try {
        decide(config, { input: { tokensEstimate } });
      } catch (e) {
        error = e;
      }
      expect(isForgeError(error, 'BAD_INPUT')).toBe(true);
      expect((error as Error).message).toBe('input.tokensEstimate: must be a non-negative number');
    }
    expect(() => decide(config, { now: new Date('nope') })).toThrow('now: must be a valid date');
  });
});

describe('escalation', () => {
  it('moves one tier up, stops at maxTier and at the top, never for tool', () => {
    expect(nextEscalation({ currentTier: 'small', maxTier: 'frontier', critical: false })).toBe('mid');
    expect(nextEscalation({ currentTier: 'mid', maxTier: 'frontier', critical: false })).toBe('frontier');
    expect(nextEscalation({ currentTier: 'small', maxTier: 'small', critical: false })).toBeNull();
    expect(nextEscalation({ currentTier: 'mid', maxTier: 'mid', critical: false })).toBeNull();
    expect(nextEscalation({ currentTier: 'frontier', maxTier: 'frontier', critical: true })).toBeNull();
    expect(nextEscalation({ currentTier: 'tool', maxTier: 'frontier', critical: false })).toBeNull();
  });

  it('resolves route overrides over the defaults', () => {
    const config = makeConfig({
      routes: { 'scout.score': { escalation: { onSchemaFailure: false } } },
      escalation: { confidenceBelow: 0.5 },
    });
    expect(escalationPolicyFor(config, 'scout.score')).toEqual({
      confidenceBelow: 0.5,
      schemaRetries: 1,
      onSchemaFailure: false,
    });
    expect(escalationPolicyFor(config, 'other.skill').onSchemaFailure).toBe(true);
  });
});

describe('tier models', () => {
  const base = baseConfigObject();
  const config = makeConfig({
    providers: { offline: { standIns: { frontier: 'anthropic:claude-sonnet-5.5' } } },
  });

  it('keeps the available models in config order, else falls back to the offline stand-in', () => {
    const onlyOpenai = tierCandidates(config, 'small', (_m, provider) => provider === 'openai');
    expect(onlyOpenai).toEqual([{ model: 'openai:gpt-6-luna', provider: 'openai', shadowOf: null }]);
    expect(tierCandidates(config, 'small', () => false)).toEqual([
      { model: 'offline:small', provider: 'offline', shadowOf: 'anthropic:claude-haiku-5.5' },
    ]);
    expect(tierCandidates(config, 'frontier', () => false)[0]?.shadowOf).toBe('anthropic:claude-sonnet-5.5');
  });

  it('treats an offline model listed in a tier as always available, shadowing the stand-in', () => {
    const withOffline = makeConfig({
      tiers: { ...base.tiers, mid: ['offline:mid', 'anthropic:claude-sonnet-5.5'] },
    });
    expect(offlineStandIn(withOffline, 'mid')).toBe('anthropic:claude-sonnet-5.5');
    expect(tierCandidates(withOffline, 'mid', () => true).map((c) => c.model)).toEqual([
      'offline:mid',
      'anthropic:claude-sonnet-5.5',
    ]);
  });
});
