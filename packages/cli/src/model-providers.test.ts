import { routingConfigFromObject } from '@forge/policy';
import { describe, expect, it } from 'vitest';
import { modelProviders } from './model-providers.js';

const price = { input: 1, output: 2, readOn: '2026-11-29' };
const config = (providers: Record<string, unknown> = {}) =>
  routingConfigFromObject(
    {
      version: 'p',
      tiers: {
        small: ['anthropic:claude-haiku-5.5'],
        mid: ['anthropic:claude-haiku-5.5'],
        frontier: ['anthropic:claude-haiku-5.5'],
      },
      prices: { 'anthropic:claude-haiku-5.5': price },
      providers,
    },
    'test',
  );

describe('modelProviders', () => {
  it('is offline with no key, and names the variables that would change that', () => {
    expect(modelProviders(config(), { ANTHROPIC_API_KEY: '  ', PATH: '/bin' })).toEqual({
      available: [],
      offline: true,
      keyVariables: ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY'],
    });
  });

  it('counts a key or a key file, under the names the config gives', () => {
    expect(modelProviders(config(), { OPENAI_API_KEY_FILE: '/run/secrets/openai' }).available).toEqual([
      'openai',
    ]);
    const renamed = config({ anthropic: { apiKeyEnv: 'CLAUDE_KEY' } });
    expect(modelProviders(renamed, { ANTHROPIC_API_KEY: 'sk-x' }).offline).toBe(true);
    expect(modelProviders(renamed, { CLAUDE_KEY: 'sk-x' }).available).toEqual(['anthropic']);
  });

  it('counts an OpenAI-compatible server unless the key it names is unset', () => {
    const local = config({
      openaiCompatible: {
        llama: { baseUrl: 'http://127.0.0.1:8080/v1' },
        vllm: { baseUrl: 'http://127.0.0.1:8000/v1', apiKeyEnv: 'VLLM_KEY' },
      },
    });
    expect(modelProviders(local, {})).toMatchObject({
      available: ['openai-compatible:llama'],
      offline: false,
    });
    expect(modelProviders(local, { VLLM_KEY: 'k' }).available).toEqual([
      'openai-compatible:llama',
      'openai-compatible:vllm',
    ]);
  });
});
