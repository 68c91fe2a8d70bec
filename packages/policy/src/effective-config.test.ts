import { describe, expect, it } from 'vitest';
import { budgetView } from './budget-view.js';
import { decideRoute } from './decide-route.js';
import {
  effectiveRoutingConfig,
  providerKey,
  reachableProviders,
  zeroCostRoutingConfig,
} from './effective-config.js';
import { routingConfigFromObject } from './parse-routing-config.js';

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

  it('lets a $0 model of the tier take a task the budget would queue', () => {
    const effective = effectiveRoutingConfig(CONFIG, ['anthropic', 'openai-compatible:local']);
    const spent = budgetView(effective, { 'tier:small': { spentMicros: 1_000_000, reservedMicros: 0 } });
    const ask = {
      skill: { skill: 'scout.score-headlines', agent: 'scout', tierHint: 'small', critical: false },
      config: effective,
      input: { tokensEstimate: 10 },
      origin: { kind: 'schedule', by: 'cron', brain: 'b' },
      principal: 'cron',
      budget: spent,
      now: new Date('2026-11-29T12:00:00Z'),
    } as const;
    expect(decideRoute(ask)).toMatchObject({ budgetAction: 'queue' });
    const zeroCost = zeroCostRoutingConfig(effective);
    expect(decideRoute({ ...ask, config: zeroCost })).toMatchObject({
      tier: 'small',
      model: 'openai-compatible:local/llama3',
      budgetAction: 'none',
    });
  });
});

describe('reachableProviders', () => {
  const withServers = routingConfigFromObject(
    {
      version: 'p',
      tiers: CONFIG.tiers,
      prices: CONFIG.prices,
      providers: {
        anthropic: { apiKeyEnv: 'CLAUDE_KEY' },
        openaiCompatible: {
          local: { baseUrl: 'http://127.0.0.1:8080/v1' },
          vllm: { baseUrl: 'http://127.0.0.1:8000/v1', apiKeyEnv: 'VLLM_KEY' },
        },
      },
    },
    'test',
  );

  it('asks for the key variables the config names, and lists what they bring in', () => {
    const asked: string[] = [];
    const none = reachableProviders(withServers, (name) => {
      asked.push(name);
      return false;
    });
    expect(none).toEqual(['openai-compatible:local']);
    expect(asked).toEqual(['CLAUDE_KEY', 'OPENAI_API_KEY', 'VLLM_KEY']);
    expect(reachableProviders(withServers, () => true)).toEqual([
      'anthropic',
      'openai',
      'openai-compatible:local',
      'openai-compatible:vllm',
    ]);
  });

  it('names providers as effectiveRoutingConfig reads them', () => {
    expect(providerKey('openai-compatible:local/llama3')).toBe('openai-compatible:local');
    expect(providerKey('anthropic:claude-haiku-5.5')).toBe('anthropic');
    const available = reachableProviders(CONFIG, (name) => name === 'OPENAI_API_KEY');
    expect(effectiveRoutingConfig(CONFIG, available).tiers.mid).toEqual(['openai:gpt-6-sol']);
  });
});
