import {
  budgetView,
  effectiveRoutingConfig,
  routingConfigFromObject,
  zeroCostRoutingConfig,
} from '@forge/policy';
import { describe, expect, it } from 'vitest';
import { explainRoute, inputTokens } from './route-explanation.js';

const price = (input: number, output: number) => ({ input, output, readOn: '2026-11-29' });
const CONFIG = routingConfigFromObject(
  {
    version: 'explain-test',
    tiers: {
      small: ['anthropic:claude-haiku-5.5'],
      mid: ['anthropic:claude-sonnet-5.5'],
      frontier: ['anthropic:claude-opus-5.5'],
    },
    prices: {
      'anthropic:claude-haiku-5.5': price(0.1, 0.5),
      'anthropic:claude-sonnet-5.5': price(2, 10),
      'anthropic:claude-opus-5.5': price(4, 20),
    },
    routes: { 'compliance.review': { tier: 'frontier' }, 'diary.synthesize-lessons': { tier: 'frontier' } },
    rules: [
      { name: 'input-large', when: { inputTokensAbove: 100 }, tier: { atLeast: 'mid' } },
      { name: 'partner-origin', when: { origin: 'partner' }, tier: { atLeast: 'mid' } },
      { name: 'backlog', when: { pendingTasksAbove: 200 }, tier: { atMost: 'mid' } },
    ],
    budgets: {
      perTier: { frontier: { usd: 10, onExhausted: 'downgrade' } },
      perPrincipal: { operator: { usd: 5, onExhausted: 'reject' } },
    },
  },
  'test',
);
const NOW = new Date('2026-11-29T12:00:00Z');
const REVIEW = {
  skill: 'compliance.review',
  agent: 'compliance',
  tierHint: 'frontier',
  critical: true,
} as const;
const SCORE = { skill: 'scout.score-headlines', agent: 'scout', tierHint: 'small', critical: false } as const;
const LESSONS = {
  skill: 'diary.synthesize-lessons',
  agent: 'diary',
  tierHint: 'mid',
  critical: false,
} as const;
const ask = {
  config: CONFIG,
  input: {},
  brain: 'b1',
  originKind: 'a2a',
  principal: 'operator',
  now: NOW,
} as const;

describe('explainRoute', () => {
  it('says frontier for a critical skill, the critical floor last, even with its budget spent', () => {
    const spent = budgetView(CONFIG, { 'tier:frontier': { spentMicros: 10_000_000, reservedMicros: 0 } });
    const explained = explainRoute({ ...ask, manifest: REVIEW, budget: spent });
    expect(explained).toMatchObject({
      skill: 'compliance.review',
      tier: 'frontier',
      model: 'anthropic:claude-opus-5.5',
      critical: true,
      maxTier: 'frontier',
      budgetAction: 'queue',
      policyVersion: 'explain-test',
    });
    expect(explained.reasons.at(-1)).toMatch(
      /^critical floor: frontier \(compliance\.review is declared critical/,
    );
    expect(explained.budgets.find((b) => b.scope === 'tier:frontier')).toEqual({
      scope: 'tier:frontier',
      limitMicros: 10_000_000,
      usedMicros: 10_000_000,
      remainingMicros: 0,
      exhausted: true,
    });
  });

  it('lets a non-critical skill be lowered by an exhausted budget, and says so', () => {
    const spent = budgetView(CONFIG, { 'tier:frontier': { spentMicros: 10_000_000, reservedMicros: 0 } });
    const explained = explainRoute({ ...ask, manifest: LESSONS, budget: spent });
    expect(explained.tier).not.toBe('frontier');
    expect(explained.budgetAction).toBe('downgraded');
    expect(explained.reasons[0]).toBe('base: route in config says frontier');
    expect(explained.steps.at(-1)?.kind).toBe('budget');
  });

  it('sizes the input as the router does, so the input-size rule fires on a long input', () => {
    const input = { text: 'x'.repeat(500) };
    expect(inputTokens(input)).toBe(Math.ceil(JSON.stringify(input).length / 4));
    const explained = explainRoute({ ...ask, manifest: SCORE, input, budget: budgetView(CONFIG) });
    expect(explained.tier).toBe('mid');
    expect(explained.input.tokensEstimate).toBe(inputTokens(input));
    expect(explained.reasons[1]).toMatch(/^rule input-large: at least mid/);
  });

  it('reads a principal only from an a2a origin, and a partner origin from the partner rule', () => {
    const partner = explainRoute({
      ...ask,
      manifest: SCORE,
      originKind: 'partner',
      principal: 'acme',
      budget: budgetView(CONFIG),
    });
    expect(partner.origin).toEqual({ kind: 'partner', brain: 'b1', partner: 'acme', by: 'acme' });
    expect(partner.principal).toBeNull();
    expect(partner.tier).toBe('mid');
    expect(partner.budgets.map((b) => b.scope)).not.toContain('principal:acme');
    const a2a = explainRoute({ ...ask, manifest: SCORE, budget: budgetView(CONFIG) });
    expect(a2a.principal).toBe('operator');
    expect(a2a.budgets.map((b) => b.scope)).toEqual(['principal:operator']);
  });

  it('considers the backlog only when given one', () => {
    const calm = explainRoute({ ...ask, manifest: LESSONS, budget: budgetView(CONFIG) });
    const busy = explainRoute({ ...ask, manifest: LESSONS, budget: budgetView(CONFIG), pendingTasks: 500 });
    expect([calm.tier, calm.pendingTasks]).toEqual(['frontier', null]);
    expect([busy.tier, busy.pendingTasks]).toEqual(['mid', 500]);
  });
});

describe('explainRoute over the effective config', () => {
  const withFreeModel = routingConfigFromObject(
    {
      version: 'effective-test',
      tiers: {
        small: ['anthropic:claude-haiku-5.5', 'openai-compatible:local/llama3'],
        mid: ['anthropic:claude-sonnet-5.5'],
        frontier: ['anthropic:claude-opus-5.5'],
      },
      prices: {
        'anthropic:claude-haiku-5.5': price(0.1, 0.5),
        'openai-compatible:local/llama3': price(0, 0),
        'anthropic:claude-sonnet-5.5': price(2, 10),
        'anthropic:claude-opus-5.5': price(4, 20),
      },
      providers: { openaiCompatible: { local: { baseUrl: 'http://127.0.0.1:8080/v1' } } },
      routes: { 'scout.score-headlines': { tier: 'small' } },
      budgets: { perTier: { small: { usd: 1, onExhausted: 'queue' } } },
    },
    'test',
  );

  it('lets a $0 model of the tier take a task the budget would queue, as the router does', () => {
    const effective = effectiveRoutingConfig(withFreeModel, ['anthropic', 'openai-compatible:local']);
    const spent = budgetView(effective, { 'tier:small': { spentMicros: 1_000_000, reservedMicros: 0 } });
    const ask = {
      manifest: { skill: 'scout.score-headlines', agent: 'scout', tierHint: 'small', critical: false },
      config: effective,
      input: {},
      brain: 'b',
      originKind: 'schedule',
      principal: 'cron',
      budget: spent,
      now: new Date('2026-11-29T12:00:00Z'),
    } as const;
    expect(explainRoute(ask)).toMatchObject({ budgetAction: 'queue', zeroCost: false });
    expect(explainRoute({ ...ask, zeroCost: zeroCostRoutingConfig(effective) })).toMatchObject({
      tier: 'small',
      model: 'openai-compatible:local/llama3',
      budgetAction: 'none',
      zeroCost: true,
    });
  });
});
