import type { ModelPrice } from '@forge/contracts';
import { type FakeLlm, startFakeLlm } from '@forge/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { costMicros } from './cost.js';
import { OpenAIProvider } from './openai-provider.js';
import type { ProviderRequest, ProviderStreamEvent } from './provider.js';
import { ProviderError } from './provider-error.js';

let fake: FakeLlm;
let provider: OpenAIProvider;

const sol: ModelPrice = {
  input: 2,
  output: 10,
  cacheRead: 0.2,
  longContext: { aboveInputTokens: 272_000, input: 4, output: 15 },
  readOn: '2026-11-01',
};

const request: ProviderRequest = {
  model: 'gpt-6-sol',
  system: 'Draft a reply under 280 characters.',
  messages: [{ role: 'user', content: 'Do you ship to Oregon?' }],
  maxTokens: 300,
  temperature: 0.2,
};

const schema = {
  type: 'object',
  properties: {
    reply: { type: 'string', maxLength: 280 },
    confidence: { type: 'number', minimum: 0, maximum: 1 },
  },
  required: ['reply', 'confidence'],
};

async function collect(events: AsyncIterable<ProviderStreamEvent>): Promise<ProviderStreamEvent[]> {
  const out: ProviderStreamEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

function finalOf(events: ProviderStreamEvent[]) {
  const last = events.at(-1);
  if (last?.type !== 'final') throw new Error('stream did not end with a final event');
  return last;
}

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

beforeAll(async () => {
  fake = await startFakeLlm();
  provider = new OpenAIProvider({ apiKey: 'sk-openai-secret', baseUrl: fake.openaiBaseUrl });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

describe('OpenAIProvider.complete', () => {
  it('returns text with cached and reasoning tokens normalised, priced exactly', async () => {
    fake.script({
      text: 'Yes, we ship to Oregon.',
      usage: { inputTokens: 1_500, cacheReadTokens: 8_500, outputTokens: 900, reasoningTokens: 700 },
    });
    const result = await provider.complete(request);
    expect(result.text).toBe('Yes, we ship to Oregon.');
    expect(result.usage).toEqual({
      inputTokens: 1_500,
      outputTokens: 900,
      cacheReadTokens: 8_500,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      reasoningTokens: 700,
    });
    expect(result.rawUsage).toMatchObject({
      prompt_tokens: 10_000,
      prompt_tokens_details: { cached_tokens: 8_500 },
    });
    // 1 500 × 2 + 8 500 × 0.2 + 900 × 10: reasoning is inside the 900
    expect(costMicros(result.usage, sol)).toBe(3_000 + 1_700 + 9_000);
    const sent = fake.requests[0]?.body as Record<string, unknown>;
    expect(sent).toMatchObject({ max_completion_tokens: 300, temperature: 0.2 });
    expect(sent.messages).toEqual([
      { role: 'system', content: 'Draft a reply under 280 characters.' },
      { role: 'user', content: 'Do you ship to Oregon?' },
    ]);
    expect(fake.requests[0]?.headers.authorization).toBe('Bearer sk-openai-secret');
  });

  it('prices a prompt above 272K at the long-context rates', async () => {
    fake.script({ text: 'ok', usage: { inputTokens: 200_000, cacheReadTokens: 72_001, outputTokens: 10 } });
    const result = await provider.complete(request);
    // Above 272K: input 4.00, cached 0.40 (2 × 0.20), output 15.00
    expect(costMicros(result.usage, sol)).toBe(800_000 + Math.round(72_001 * 0.4) + 150);
  });

  it('asks for json_schema output and returns the parsed object', async () => {
    fake.script({ json: { reply: 'We do.', confidence: 0.9 } });
    const result = await provider.complete({ ...request, output: { name: 'reply', jsonSchema: schema } });
    expect(result.output).toEqual({ reply: 'We do.', confidence: 0.9 });
    const sent = fake.requests[0]?.body as { response_format: unknown };
    expect(sent.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'reply', schema, strict: false },
    });
  });

  it('rejects unparseable or schema-failing JSON as bad_response', async () => {
    fake.script({ text: '{"reply": "cut' }, { json: { reply: 'x', confidence: 3 } });
    const output = { name: 'reply', jsonSchema: schema };
    const unparseable = await failure(provider.complete({ ...request, output }));
    expect(unparseable.kind).toBe('bad_response');
    expect(unparseable.message).toMatch(/not JSON/);
    const invalid = await failure(provider.complete({ ...request, output }));
    expect(invalid.message).toMatch(/confidence/);
    expect(invalid.usage).toBeDefined();
  });

  it('maps 429 with retry-after to rate_limited, 500 to server, slow to timeout, malformed to bad_response', async () => {
    fake.script(
      { status: 429, retryAfterSeconds: 7 },
      { status: 503 },
      { delayMs: 2_000 },
      { malformed: true },
    );
    const limited = await failure(provider.complete(request));
    expect([limited.kind, limited.retryAfterMs]).toEqual(['rate_limited', 7_000]);
    expect((await failure(provider.complete(request))).kind).toBe('server');
    expect((await failure(provider.complete(request, { timeoutMs: 80 }))).kind).toBe('timeout');
    expect((await failure(provider.complete(request))).kind).toBe('bad_response');
  });

  it('speaks to an OpenAI-compatible server with max_tokens and no key', async () => {
    const local = new OpenAIProvider({ kind: 'openai-compatible', baseUrl: fake.openaiBaseUrl });
    expect(local.kind).toBe('openai-compatible');
    fake.script({ text: 'local answer', usage: { inputTokens: 5, outputTokens: 2 } });
    const result = await local.complete(request);
    expect(result.provider).toBe('openai-compatible');
    expect(result.usage.inputTokens).toBe(5);
    const sent = fake.requests[0]?.body as Record<string, unknown>;
    expect(sent.max_tokens).toBe(300);
    expect(sent).not.toHaveProperty('max_completion_tokens');
  });

  it('refuses options without a key for OpenAI, or without a base URL for a compatible server', () => {
    expect(() => new OpenAIProvider({ baseUrl: fake.openaiBaseUrl })).toThrowError(/apiKey/);
    expect(() => new OpenAIProvider({ kind: 'openai-compatible' })).toThrowError(/baseUrl/);
  });
});

describe('OpenAIProvider.stream', () => {
  it('asks for usage, yields deltas, and bills the final usage chunk exactly', async () => {
    fake.script({
      text: 'Yes — we ship to Oregon daily.',
      usage: { inputTokens: 40, cacheReadTokens: 1_000, outputTokens: 11 },
    });
    const events = await collect(provider.stream(request));
    const text = events.flatMap((event) => (event.type === 'text' ? [event.text] : [])).join('');
    expect(text).toBe('Yes — we ship to Oregon daily.');
    const final = finalOf(events);
    expect(final.error).toBeUndefined();
    expect(final.result.usageEstimated).toBe(false);
    expect(final.result.usage).toMatchObject({ inputTokens: 40, cacheReadTokens: 1_000, outputTokens: 11 });
    expect(costMicros(final.result.usage, sol)).toBe(80 + 200 + 110);
    expect(fake.requests[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('bills a cut-off stream by estimate: prompt and the text that came', async () => {
    fake.script({
      text: 'abcdefgh ijklmnop qrstuvwx',
      chunks: ['abcdefgh ', 'ijklmnop ', 'qrstuvwx'],
      cutAfterChunks: 2,
    });
    const final = finalOf(await collect(provider.stream(request)));
    expect(final.result.text).toBe('abcdefgh ijklmnop ');
    expect(final.error?.kind).toBe('connection');
    expect(final.error?.beforeFirstToken).toBe(false);
    expect(final.result.usageEstimated).toBe(true);
    // (35 + 22 characters of prompt) / 4 rounded up; 18 characters of text / 4 rounded up
    expect(final.result.usage).toMatchObject({ inputTokens: 15, outputTokens: 5 });
  });

  it('checks streamed JSON against the schema at the end', async () => {
    fake.script({ json: { reply: 'ok', confidence: 0.4 } }, { json: { reply: 5 } });
    const output = { name: 'reply', jsonSchema: schema };
    expect(finalOf(await collect(provider.stream({ ...request, output }))).result.output).toEqual({
      reply: 'ok',
      confidence: 0.4,
    });
    const bad = finalOf(await collect(provider.stream({ ...request, output })));
    expect(bad.error?.kind).toBe('bad_response');
  });

  it('counts only the silence of the vendor against timeoutMs, not a slow consumer', async () => {
    fake.script({ text: 'one two', chunks: ['one ', 'two'] });
    const events: ProviderStreamEvent[] = [];
    for await (const event of provider.stream(request, { timeoutMs: 250 })) {
      events.push(event);
      if (event.type === 'text') await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect(finalOf(events).error).toBeUndefined();
    expect(finalOf(events).result.text).toBe('one two');
  });

  it('throws before the first token on 500 and on a slow start', async () => {
    fake.script({ status: 500 }, { delayMs: 2_000 });
    const server = await failure(collect(provider.stream(request)));
    expect([server.kind, server.beforeFirstToken]).toEqual(['server', true]);
    const slow = await failure(collect(provider.stream(request, { timeoutMs: 80 })));
    expect([slow.kind, slow.beforeFirstToken]).toEqual(['timeout', true]);
  });
});

describe('OpenAIProvider.close', () => {
  it('closes the connection pool its SDK calls through: a call after close fails', async () => {
    const own = new OpenAIProvider({ apiKey: 'sk-openai-secret', baseUrl: fake.openaiBaseUrl });
    fake.script({ text: 'ok' });
    expect((await own.complete(request)).text).toBe('ok');
    await own.close();
    await failure(own.complete(request));
    expect(fake.requests).toHaveLength(1);
  });
});
