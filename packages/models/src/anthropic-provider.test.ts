import { ForgeError, type ModelPrice } from '@forge/contracts';
import { type FakeLlm, startFakeLlm } from '@forge/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { AnthropicProvider } from './anthropic-provider.js';
import { costMicros } from './cost.js';
import type { ProviderRequest, ProviderStreamEvent } from './provider.js';
import { ProviderError } from './provider-error.js';

let fake: FakeLlm;
let provider: AnthropicProvider;

const haiku: ModelPrice = {
  input: 0.1,
  output: 0.5,
  cacheRead: 0.01,
  cacheWrite5m: 0.125,
  cacheWrite1h: 0.2,
  longContext: { aboveInputTokens: 100_000, input: 0.5, output: 2.5 },
  readOn: '2026-11-01',
};

const request: ProviderRequest = {
  model: 'claude-haiku-5.5',
  system: 'You score headlines.',
  messages: [{ role: 'user', content: 'METRC adds new tracking rules' }],
  maxTokens: 200,
};

const scoreSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties: {
    label: { type: 'string', enum: ['relevant', 'irrelevant'] },
    score: { type: 'integer', minimum: 0, maximum: 10 },
  },
  required: ['label', 'score'],
  additionalProperties: false,
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
  provider = new AnthropicProvider({ apiKey: 'sk-ant-secret-key', baseUrl: fake.anthropicBaseUrl });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

describe('AnthropicProvider.complete', () => {
  it('returns text with usage normalised and priced exactly', async () => {
    fake.script({
      text: 'Relevant.',
      usage: {
        inputTokens: 40,
        cacheReadTokens: 2_000,
        cacheWriteTokens: 96,
        cacheWrite1hTokens: 80,
        outputTokens: 12,
        reasoningTokens: 4,
      },
    });
    const result = await provider.complete(request);
    expect(result.text).toBe('Relevant.');
    expect(result.finishReason).toBe('stop');
    expect(result.model).toBe('claude-haiku-5.5');
    expect(result.usage).toEqual({
      inputTokens: 40,
      outputTokens: 12,
      cacheReadTokens: 2_000,
      cacheWriteTokens: 96,
      cacheWrite1hTokens: 80,
      reasoningTokens: 4,
    });
    expect(result.rawUsage).toMatchObject({ cache_creation_input_tokens: 176 });
    // 40 × 0.1 + 12 × 0.5 + 2 000 × 0.01 + 96 × 0.125 + 80 × 0.2 = 4 + 6 + 20 + 12 + 16
    expect(costMicros(result.usage, haiku)).toBe(58);
    const sent = fake.requests[0]?.body as Record<string, unknown>;
    expect(sent).toMatchObject({
      model: 'claude-haiku-5.5',
      max_tokens: 200,
      system: 'You score headlines.',
    });
    expect(sent).not.toHaveProperty('temperature');
  });

  it('asks for structured output with a forced tool and returns the parsed object', async () => {
    fake.script({ json: { label: 'relevant', score: 8 } });
    const result = await provider.complete({
      ...request,
      output: { name: 'score', jsonSchema: scoreSchema },
    });
    expect(result.output).toEqual({ label: 'relevant', score: 8 });
    expect(JSON.parse(result.text)).toEqual({ label: 'relevant', score: 8 });
    expect(result.finishReason).toBe('stop');
    const sent = fake.requests[0]?.body as {
      tools: Array<{ name: string; input_schema: object }>;
      tool_choice: object;
    };
    expect(sent.tool_choice).toEqual({ type: 'tool', name: 'score' });
    expect(sent.tools[0]?.name).toBe('score');
    expect(sent.tools[0]?.input_schema).not.toHaveProperty('$schema');
  });

  it('wraps a schema whose root is not an object and unwraps the reply', async () => {
    fake.script({ json: { value: ['a', 'b'] } });
    const schema = { type: 'array', items: { type: 'string' } };
    const result = await provider.complete({ ...request, output: { name: 'list', jsonSchema: schema } });
    expect(result.output).toEqual(['a', 'b']);
  });

  it('rejects a reply that fails the schema as bad_response, keeping its usage for billing', async () => {
    fake.script({ json: { label: 'maybe', score: 11 }, usage: { inputTokens: 30, outputTokens: 9 } });
    const error = await failure(
      provider.complete({ ...request, output: { name: 'score', jsonSchema: scoreSchema } }),
    );
    expect(error.kind).toBe('bad_response');
    expect(error.message).toMatch(/label/);
    expect(error.message).toMatch(/score/);
    expect(error.usage).toMatchObject({ inputTokens: 30, outputTokens: 9 });
    expect(error.retryable).toBe(true);
  });

  it('maps 429 with retry-after-ms to rate_limited, and 500 / 529 to server', async () => {
    fake.script({ status: 429, retryAfterMs: 1_250 }, { status: 500 }, { status: 529 });
    const limited = await failure(provider.complete(request));
    expect([limited.kind, limited.retryAfterMs, limited.status]).toEqual(['rate_limited', 1_250, 429]);
    expect((await failure(provider.complete(request))).kind).toBe('server');
    expect((await failure(provider.complete(request))).kind).toBe('server');
  });

  it('maps another 4xx to client, not retryable', async () => {
    fake.script({ status: 400 });
    const error = await failure(provider.complete(request));
    expect(error.kind).toBe('client');
    expect(error.retryable).toBe(false);
  });

  it('times out a slow reply', async () => {
    fake.script({ delayMs: 2_000 });
    const started = Date.now();
    const error = await failure(provider.complete(request, { timeoutMs: 100 }));
    expect(error.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('maps malformed and wrong-shaped bodies to bad_response', async () => {
    fake.script({ malformed: true }, { body: { id: 'msg_x', content: 'not a list' } });
    expect((await failure(provider.complete(request))).kind).toBe('bad_response');
    const wrong = await failure(provider.complete(request));
    expect(wrong.kind).toBe('bad_response');
    expect(wrong.message).toMatch(/content/);
  });

  it('maps a body cut mid-way to connection', async () => {
    fake.script({ cutAfterChunks: 0 });
    expect((await failure(provider.complete(request))).kind).toBe('connection');
  });

  it('rejects with CANCELED when the caller aborts, and never puts the key in an error', async () => {
    fake.script({ delayMs: 2_000 }, { status: 401 });
    const controller = new AbortController();
    const pending = provider.complete(request, { signal: controller.signal });
    // Abort once the server holds the request, so the reply queue stays in step.
    await vi.waitFor(() => expect(fake.requests).toHaveLength(1), { timeout: 5_000, interval: 5 });
    controller.abort();
    const canceled = await pending.catch((error: unknown) => error);
    expect(canceled).toBeInstanceOf(ForgeError);
    expect((canceled as ForgeError).code).toBe('CANCELED');
    const unauthorized = await failure(provider.complete(request));
    expect(JSON.stringify({ message: unauthorized.message, details: unauthorized.details })).not.toContain(
      'sk-ant-secret-key',
    );
  });
});

describe('AnthropicProvider.stream', () => {
  it('yields text deltas, then a final event with the reported usage', async () => {
    fake.script({
      text: 'Scores go up when METRC changes.',
      usage: { inputTokens: 25, cacheReadTokens: 1_000, outputTokens: 9 },
    });
    const events = await collect(provider.stream(request));
    const text = events.flatMap((event) => (event.type === 'text' ? [event.text] : [])).join('');
    expect(text).toBe('Scores go up when METRC changes.');
    expect(events.filter((event) => event.type === 'text').length).toBeGreaterThan(1);
    const final = finalOf(events);
    expect(final.error).toBeUndefined();
    expect(final.result.usage).toMatchObject({ inputTokens: 25, cacheReadTokens: 1_000, outputTokens: 9 });
    expect(final.result.usageEstimated).toBe(false);
    expect(final.result.finishReason).toBe('stop');
    // 25 × 0.1 + 9 × 0.5 + 1 000 × 0.01 = 2.5 + 4.5 + 10
    expect(costMicros(final.result.usage, haiku)).toBe(17);
  });

  it('streams structured output whole into the final event', async () => {
    fake.script({ json: { label: 'irrelevant', score: 1 } });
    const events = await collect(
      provider.stream({ ...request, output: { name: 'score', jsonSchema: scoreSchema } }),
    );
    expect(events.filter((event) => event.type === 'text')).toEqual([]);
    expect(finalOf(events).result.output).toEqual({ label: 'irrelevant', score: 1 });
  });

  it('bills a cut-off stream for what came: reported input, output estimated from the text', async () => {
    fake.script({
      text: 'aaaa bbbb cccc dddd',
      chunks: ['aaaa ', 'bbbb ', 'cccc ', 'dddd'],
      cutAfterChunks: 2,
      usage: { inputTokens: 500, cacheReadTokens: 100, outputTokens: 5 },
    });
    const events = await collect(provider.stream(request));
    const final = finalOf(events);
    expect(final.result.text).toBe('aaaa bbbb ');
    expect(final.result.finishReason).toBe('error');
    expect(final.result.usageEstimated).toBe(true);
    expect(final.result.usage).toMatchObject({ inputTokens: 500, cacheReadTokens: 100, outputTokens: 3 });
    expect(final.error?.kind).toBe('connection');
    expect(final.error?.beforeFirstToken).toBe(false);
  });

  it('throws before the first token on 429, with retryAfterMs', async () => {
    fake.script({ status: 429, retryAfterSeconds: 2 });
    const error = await failure(collect(provider.stream(request)));
    expect([error.kind, error.retryAfterMs, error.beforeFirstToken]).toEqual(['rate_limited', 2_000, true]);
  });

  it('times out when no event comes within timeoutMs, ending with what came', async () => {
    fake.script({ text: 'slow slow slow', chunks: ['slow ', 'slow ', 'slow'], chunkDelayMs: 400 });
    const events = await collect(provider.stream(request, { timeoutMs: 150 }));
    const final = finalOf(events);
    expect(final.error?.kind).toBe('timeout');
    expect(final.result.usageEstimated).toBe(true);
  });

  it('maps a malformed event to bad_response in the final event', async () => {
    fake.script({ text: 'one two three', malformed: true });
    const final = finalOf(await collect(provider.stream(request)));
    expect(final.error?.kind).toBe('bad_response');
    expect(final.result.text).not.toBe('');
  });

  it('ends an aborted stream with finishReason aborted and the usage of what came', async () => {
    fake.script({
      text: 'a b c d e f',
      chunks: ['a ', 'b ', 'c ', 'd ', 'e ', 'f'],
      chunkDelayMs: 60,
      usage: { inputTokens: 70 },
    });
    const controller = new AbortController();
    const events: ProviderStreamEvent[] = [];
    for await (const event of provider.stream(request, { signal: controller.signal })) {
      events.push(event);
      if (event.type === 'text') controller.abort();
    }
    const final = finalOf(events);
    expect(final.result.finishReason).toBe('aborted');
    expect(final.error).toBeUndefined();
    expect(final.result.usage.inputTokens).toBe(70);
    expect(final.result.usage.outputTokens).toBeGreaterThanOrEqual(1);
  });
});

describe('AnthropicProvider.close', () => {
  it('closes the connection pool its SDK calls through: a call after close fails as a connection error', async () => {
    const own = new AnthropicProvider({ apiKey: 'sk-ant-secret-key', baseUrl: fake.anthropicBaseUrl });
    fake.script({ text: 'Relevant.' });
    expect((await own.complete(request)).text).toBe('Relevant.');
    await own.close();
    const error = await own.complete(request).then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ProviderError);
    expect(fake.requests).toHaveLength(1);
  });
});
