import type Anthropic from '@anthropic-ai/sdk';
import type { StablePromptPart } from '@forge/contracts';
import { type FakeLlm, startFakeLlm } from '@forge/testkit';
import type OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AnthropicProvider } from './anthropic-provider.js';
import { OpenAIProvider } from './openai-provider.js';
import { cacheablePrefix, flatMessages, flatSystem } from './prompt-layout.js';
import type { ProviderRequest } from './provider.js';

const rules: StablePromptPart = { name: 'rules', role: 'system', text: 'R'.repeat(8_000) };
const sources: StablePromptPart = { name: 'sources', role: 'user', text: 'S'.repeat(4_000) };
const request: ProviderRequest = {
  model: 'claude-opus-5.5',
  stable: [rules, sources],
  messages: [{ role: 'user', content: 'Is this transfer compliant?' }],
  maxTokens: 100,
};

describe('prompt layout', () => {
  it('puts stable instructions before the variable ones and stable material before the question', () => {
    expect(flatSystem({ ...request, system: 'Today is Monday.' })).toBe(`${rules.text}\n\nToday is Monday.`);
    expect(flatMessages(request)).toEqual([
      { role: 'user', content: `${sources.text}\n\nIs this transfer compliant?` },
    ]);
    expect(flatMessages({ ...request, messages: [{ role: 'assistant', content: 'Hello' }] })[0]).toEqual({
      role: 'user',
      content: sources.text,
    });
  });

  it('keeps stable material out of the cacheable prefix once variable instructions come between', () => {
    expect(cacheablePrefix(request).map((p) => p.name)).toEqual(['rules', 'sources']);
    expect(cacheablePrefix({ ...request, system: 'Today is Monday.' }).map((p) => p.name)).toEqual(['rules']);
  });
});

let fake: FakeLlm;
beforeAll(async () => {
  fake = await startFakeLlm();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

describe('cache marks on the wire', () => {
  it('Anthropic: a breakpoint with the TTL ends each stable part, and the prefix is read the second time', async () => {
    const provider = new AnthropicProvider({ apiKey: 'k', baseUrl: fake.anthropicBaseUrl });
    const cached = { ...request, cache: { ttl: '1h' as const, key: 'forge-test' } };
    const first = await provider.complete(cached);
    const body = fake.requests[0]?.body as Anthropic.MessageCreateParamsNonStreaming;
    expect(body.system).toEqual([
      { type: 'text', text: rules.text, cache_control: { type: 'ephemeral', ttl: '1h' } },
    ]);
    expect(body.messages[0]?.content).toEqual([
      { type: 'text', text: sources.text, cache_control: { type: 'ephemeral', ttl: '1h' } },
      { type: 'text', text: 'Is this transfer compliant?' },
    ]);
    expect(first.usage.cacheWrite1hTokens).toBe(3_000);
    const second = await provider.complete(cached);
    expect(second.usage).toMatchObject({ cacheReadTokens: 3_000, cacheWrite1hTokens: 0, inputTokens: 7 });
  });

  it('Anthropic: without a cache plan the stable parts still come first, unmarked', async () => {
    const provider = new AnthropicProvider({ apiKey: 'k', baseUrl: fake.anthropicBaseUrl });
    await provider.complete(request);
    await provider.complete(request);
    const body = fake.requests[1]?.body as Anthropic.MessageCreateParamsNonStreaming;
    expect(JSON.stringify(body)).not.toContain('cache_control');
    expect((body.system as Anthropic.TextBlockParam[])[0]?.text).toBe(rules.text);
  });

  it('Anthropic: with only a tool definition stable, the tool carries the breakpoint', async () => {
    const provider = new AnthropicProvider({ apiKey: 'k', baseUrl: fake.anthropicBaseUrl });
    fake.script({ json: { ok: true } });
    await provider.complete({
      model: 'claude-opus-5.5',
      system: 'variable',
      messages: [{ role: 'user', content: 'q' }],
      maxTokens: 50,
      output: { name: 'out', jsonSchema: { type: 'object', properties: { ok: { type: 'boolean' } } } },
      cache: { ttl: '5m', key: 'forge-k' },
    });
    const body = fake.requests[0]?.body as Anthropic.MessageCreateParamsNonStreaming;
    expect(body.tools?.[0]).toMatchObject({ name: 'out', cache_control: { type: 'ephemeral', ttl: '5m' } });
  });

  it('OpenAI: stable text leads, the request names its prefix and asks for extended retention for 1h', async () => {
    const provider = new OpenAIProvider({ apiKey: 'k', baseUrl: fake.openaiBaseUrl });
    const cached = { ...request, model: 'gpt-6-astra', cache: { ttl: '1h' as const, key: 'forge-abc' } };
    await provider.complete(cached);
    const second = await provider.complete(cached);
    const body = fake.requests[0]?.body as OpenAI.ChatCompletionCreateParamsNonStreaming;
    expect(body.messages[0]).toEqual({ role: 'system', content: rules.text });
    expect(body.prompt_cache_key).toBe('forge-abc');
    expect(body.prompt_cache_retention).toBe('24h');
    // 12,029 characters, 3,008 prompt tokens: cached in 128-token steps up to 2,944.
    expect(second.usage).toMatchObject({ cacheReadTokens: 2_944, inputTokens: 3_008 - 2_944 });
  });

  it('OpenAI-compatible servers get neither cache field', async () => {
    const provider = new OpenAIProvider({ kind: 'openai-compatible', baseUrl: fake.openaiBaseUrl });
    await provider.complete({ ...request, model: 'llama3', cache: { ttl: '1h', key: 'forge-abc' } });
    const body = fake.requests[0]?.body as Record<string, unknown>;
    expect(body.prompt_cache_key).toBeUndefined();
    expect(body.prompt_cache_retention).toBeUndefined();
  });
});
