import { budgetView, routingConfigFromObject } from '@forge/policy';
import { describe, expect, it } from 'vitest';
import { effectiveRoutingConfig, zeroCostRoutingConfig } from './effective-config.js';
import { explainRoute } from './route-explanation.js';

const price = (input: number, output: number) => ({ input, output, readOn: '2026-11-29' });
const CONFIG = routingConfigFromObject(
  {
    version: 'effective-test',
    tiers: {
      small: ['anthropic:claude-haiku-5.5', 'openai-compatible:local/llama3'],
      mid: ['anthropic:claude-sonnet-5.5', 'openai:gpt-6-sol'],
      frontier: ['anthropic:claude-opus-5.5'],
    },
    prices: {
      'anthropic:claude-haiku-5.5': price(0.1, 0.5),
      'openai-compatible:local/llama3': price(0, 0),
      'anthropic:claude-sonnet-5.5': price(2, 10),
      'openai:gpt-6-sol': price(2, 10),
      'anthropic:claude-opus-5.5': price(4, 20),
    },
    providers: { openaiCompatible: { local: { baseUrl: 'http://127.0.0.1:8080/v1' } } },
    routes: { 'scout.score-headlines': { tier: 'small' } },
    budgets: { perTier: { small: { usd: 1, onExhausted: 'queue' } } },
  },
  'test',
);

describe('effectiveRoutingConfig', () => {
  it('keeps only the models whose provider is reachable, in order', () => {
    const effective = effectiveRoutingConfig(CONFIG, ['openai', 'openai-compatible:local']);
    expect(effective.tiers).toEqual({
      small: ['openai-compatible:local/llama3'],
      mid: ['openai:gpt-6-sol'],
      frontier: ['offline:frontier'],
    });
  });

  it('puts the offline stand-in in every tier when nothing is reachable', () => {
    expect(effectiveRoutingConfig(CONFIG, []).tiers).toEqual({
      small: ['offline:small'],
      mid: ['offline:mid'],
      frontier: ['offline:frontier'],
    });
  });
});

describe('zeroCostRoutingConfig', () => {
  it('narrows a tier to its $0 models, and is the same object when none narrows', () => {
    const both = effectiveRoutingConfig(CONFIG, ['anthropic', 'openai-compatible:local']);
    expect(zeroCostRoutingConfig(both).tiers.small).toEqual(['openai-compatible:local/llama3']);
    const paidOnly = effectiveRoutingConfig(CONFIG, ['anthropic']);
    expect(zeroCostRoutingConfig(paidOnly)).toBe(paidOnly);
  });

  it('lets a $0 model of the tier take a task the budget would queue, as the router does', () => {
    const effective = effectiveRoutingConfig(CONFIG, ['anthropic', 'openai-compatible:local']);
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
