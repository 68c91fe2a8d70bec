import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from './fake-llm-server.js';

let now = Date.parse('2026-11-30T00:00:00Z');
let fake: FakeLlm;
let openai: OpenAI;
let anthropic: Anthropic;

/** Text of exactly `tokens` tokens by the fake's count (4 characters each). */
const text = (tokens: number, fill = 'a') => fill.repeat(tokens * 4);
const MINUTE = 60_000;

beforeAll(async () => {
  fake = await startFakeLlm({ clock: () => now });
  openai = new OpenAI({ apiKey: 'sk-test', baseURL: fake.openaiBaseUrl, maxRetries: 0, timeout: 5_000 });
  anthropic = new Anthropic({
    apiKey: 'sk-ant-test',
    baseURL: fake.anthropicBaseUrl,
    maxRetries: 0,
    timeout: 5_000,
  });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

describe('fake prompt cache, Anthropic semantics', () => {
  const ask = (ttl: '5m' | '1h' | undefined, question: string) =>
    anthropic.messages.create({
      model: 'claude-opus-5.5',
      max_tokens: 50,
      system: [
        {
          type: 'text',
          text: text(2000, 's'),
          ...(ttl ? { cache_control: { type: 'ephemeral' as const, ttl } } : {}),
        },
      ],
      messages: [{ role: 'user', content: question }],
    });

  it('writes the marked prefix, reads it within its TTL, and bills the rest as input', async () => {
    const first = await ask('5m', text(10, 'q'));
    expect(first.usage.cache_creation_input_tokens).toBe(2000);
    expect(first.usage.cache_creation?.ephemeral_5m_input_tokens).toBe(2000);
    expect(first.usage.cache_read_input_tokens).toBe(0);
    expect(first.usage.input_tokens).toBe(10);
    now += 4 * MINUTE;
    const second = await ask('5m', text(12, 'r'));
    expect(second.usage.cache_read_input_tokens).toBe(2000);
    expect(second.usage.cache_creation_input_tokens).toBe(0);
    expect(second.usage.input_tokens).toBe(12);
    // The read refreshed the entry: 4 more minutes is still within 5 of the last use.
    now += 4 * MINUTE;
    expect((await ask('5m', 'x')).usage.cache_read_input_tokens).toBe(2000);
    now += 6 * MINUTE;
    const expired = await ask('5m', 'x');
    expect(expired.usage.cache_read_input_tokens).toBe(0);
    expect(expired.usage.cache_creation_input_tokens).toBe(2000);
  });

  it('keeps a 1-hour write for the hour and reports it by duration', async () => {
    const first = await ask('1h', 'q');
    expect(first.usage.cache_creation).toEqual({
      ephemeral_5m_input_tokens: 0,
      ephemeral_1h_input_tokens: 2000,
    });
    now += 50 * MINUTE;
    expect((await ask('1h', 'q')).usage.cache_read_input_tokens).toBe(2000);
  });

  it('caches nothing without a breakpoint, or below the minimum length', async () => {
    await ask(undefined, 'q');
    const plain = await ask(undefined, 'q');
    expect(plain.usage.cache_read_input_tokens).toBe(0);
    expect(plain.usage.input_tokens).toBe(2001);
    const short = () =>
      anthropic.messages.create({
        model: 'claude-opus-5.5',
        max_tokens: 50,
        system: [{ type: 'text', text: text(500), cache_control: { type: 'ephemeral' } }],
        messages: [{ role: 'user', content: 'q' }],
      });
    await short();
    const again = await short();
    expect(again.usage.cache_creation_input_tokens).toBe(0);
    expect(again.usage.cache_read_input_tokens).toBe(0);
  });

  it('misses when anything before the breakpoint changes (tools included), per model', async () => {
    await ask('5m', 'q');
    const other = await anthropic.messages.create({
      model: 'claude-sonnet-5.5',
      max_tokens: 50,
      system: [{ type: 'text', text: text(2000, 's'), cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: 'q' }],
    });
    expect(other.usage.cache_read_input_tokens).toBe(0);
    const withTool = await anthropic.messages.create({
      model: 'claude-opus-5.5',
      max_tokens: 50,
      tools: [{ name: 'out', input_schema: { type: 'object' } }],
      system: [{ type: 'text', text: text(2000, 's'), cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: 'q' }],
    });
    expect(withTool.usage.cache_read_input_tokens).toBe(0);
    expect(withTool.usage.cache_creation_input_tokens).toBe(2000);
  });

  it('reads an earlier cached breakpoint and writes only the new stretch', async () => {
    const twoParts = (second: string) =>
      anthropic.messages.create({
        model: 'claude-opus-5.5',
        max_tokens: 50,
        system: [
          { type: 'text', text: text(1500, 's'), cache_control: { type: 'ephemeral', ttl: '1h' } },
          { type: 'text', text: second, cache_control: { type: 'ephemeral' } },
        ],
        messages: [{ role: 'user', content: 'q' }],
      });
    const first = await twoParts(text(600, 'r'));
    expect(first.usage.cache_creation).toEqual({
      ephemeral_5m_input_tokens: 600,
      ephemeral_1h_input_tokens: 1500,
    });
    const changed = await twoParts(text(700, 'z'));
    expect(changed.usage.cache_read_input_tokens).toBe(1500);
    expect(changed.usage.cache_creation).toEqual({
      ephemeral_5m_input_tokens: 700,
      ephemeral_1h_input_tokens: 0,
    });
    expect(changed.usage.input_tokens).toBe(1);
  });

  it('reports cache reads in the stream too', async () => {
    await ask('5m', 'q');
    const stream = await anthropic.messages.create({
      model: 'claude-opus-5.5',
      max_tokens: 50,
      stream: true,
      system: [{ type: 'text', text: text(2000, 's'), cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: 'q' }],
    });
    let read: number | null | undefined;
    for await (const event of stream)
      if (event.type === 'message_start') read = event.message.usage.cache_read_input_tokens;
    expect(read).toBe(2000);
  });
});

describe('fake prompt cache, OpenAI semantics', () => {
  const ask = (
    system: string,
    question: string,
    extra: Partial<OpenAI.ChatCompletionCreateParamsNonStreaming> = {},
  ) =>
    openai.chat.completions.create({
      model: 'gpt-6-astra',
      messages: [
        { role: 'system', content: system },
        { role: 'user', content: question },
      ],
      ...extra,
    });

  it('caches long prefixes by itself in 128-token steps, inside prompt_tokens', async () => {
    const first = await ask(text(1500, 's'), text(20, 'q'));
    expect(first.usage?.prompt_tokens).toBe(1520);
    expect(first.usage?.prompt_tokens_details?.cached_tokens).toBe(0);
    const second = await ask(text(1500, 's'), text(30, 'r'));
    expect(second.usage?.prompt_tokens).toBe(1530);
    // 1024 + 3 × 128 = 1408 ≤ 1500 < 1536.
    expect(second.usage?.prompt_tokens_details?.cached_tokens).toBe(1408);
  });

  it('keeps prefixes in memory for minutes, for a day when asked, per prompt_cache_key', async () => {
    await ask(text(1200, 's'), 'q');
    now += 11 * MINUTE;
    expect((await ask(text(1200, 's'), 'q')).usage?.prompt_tokens_details?.cached_tokens).toBe(0);
    await ask(text(1200, 's'), 'q', { prompt_cache_key: 'k1', prompt_cache_retention: '24h' });
    now += 5 * 60 * MINUTE;
    const kept = await ask(text(1200, 's'), 'q', { prompt_cache_key: 'k1' });
    expect(kept.usage?.prompt_tokens_details?.cached_tokens).toBe(1152);
    const otherKey = await ask(text(1200, 's'), 'q', { prompt_cache_key: 'k2' });
    expect(otherKey.usage?.prompt_tokens_details?.cached_tokens).toBe(0);
  });

  it('never caches a prompt under 1024 tokens', async () => {
    await ask(text(900), 'q');
    expect((await ask(text(900), 'q')).usage?.prompt_tokens_details?.cached_tokens).toBe(0);
  });

  it('lets a script still set usage outright', async () => {
    fake.script({ usage: { inputTokens: 7, cacheReadTokens: 3 } });
    const reply = await ask(text(1500), 'q');
    expect(reply.usage?.prompt_tokens).toBe(10);
    expect(reply.usage?.prompt_tokens_details?.cached_tokens).toBe(3);
  });
});
