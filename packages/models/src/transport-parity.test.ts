import { ForgeError } from '@forge/contracts';
import { type FakeLlm, type FakeReply, startFakeLlm } from '@forge/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { AnthropicProvider } from './anthropic-provider.js';
import { OpenAIProvider } from './openai-provider.js';
import type { ModelProvider, ProviderCallOptions, ProviderRequest, ProviderStreamEvent } from './provider.js';
import { ProviderError } from './provider-error.js';
import type { ProviderTransport } from './provider-options.js';

/**
 * The wire client against the vendor SDKs: the same requests through both transports against the
 * fake server must send the same bodies and give the same results, events and errors (kind,
 * status, retry-after, usage, message).
 */

let fake: FakeLlm;
beforeAll(async () => {
  fake = await startFakeLlm();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const schema = {
  type: 'object',
  properties: { label: { type: 'string', enum: ['yes', 'no'] }, score: { type: 'integer', minimum: 0 } },
  required: ['label', 'score'],
};

const stable = 'Rubric. '.repeat(600);

const base: ProviderRequest = {
  model: 'model-x',
  system: 'You score headlines.',
  messages: [{ role: 'user', content: 'METRC adds new tracking rules' }],
  maxTokens: 200,
  temperature: 0.3,
};

/** Everything an outcome shows a caller, with the error's class and fields. */
function errorView(error: unknown) {
  if (!(error instanceof ForgeError)) return { thrown: String(error) };
  return {
    class: error.constructor.name,
    code: error.code,
    message: error.message,
    retryable: error.retryable,
    details: error.details,
    ...(error instanceof ProviderError
      ? {
          kind: error.kind,
          status: error.status,
          retryAfterMs: error.retryAfterMs,
          beforeFirstToken: error.beforeFirstToken,
          usage: error.usage,
        }
      : {}),
  };
}

async function completeOutcome(provider: ModelProvider, req: ProviderRequest, options?: ProviderCallOptions) {
  try {
    return { ok: await provider.complete(req, options) };
  } catch (error) {
    return { error: errorView(error) };
  }
}

async function streamOutcome(
  provider: ModelProvider,
  req: ProviderRequest,
  options: ProviderCallOptions & { abortOnFirstText?: AbortController } = {},
) {
  const events: unknown[] = [];
  try {
    for await (const event of provider.stream(req, options) as AsyncIterable<ProviderStreamEvent>) {
      events.push(
        event.type === 'final' ? { ...event, error: event.error && errorView(event.error) } : event,
      );
      if (event.type === 'text') options.abortOnFirstText?.abort();
    }
    return { events };
  } catch (error) {
    return { events, error: errorView(error) };
  }
}

type Run = (provider: ModelProvider) => Promise<unknown>;

interface Format {
  name: 'openai' | 'anthropic';
  make(transport: ProviderTransport): ModelProvider;
}

const formats: Format[] = [
  {
    name: 'openai',
    make: (transport) =>
      new OpenAIProvider({ apiKey: 'sk-openai-parity', baseUrl: fake.openaiBaseUrl, transport }),
  },
  {
    name: 'anthropic',
    make: (transport) =>
      new AnthropicProvider({ apiKey: 'sk-ant-parity', baseUrl: fake.anthropicBaseUrl, transport }),
  },
];

/** Runs `run` through the SDK and then the wire transport, each with `replies` scripted; returns both outcomes and the requests sent. */
async function both(format: Format, replies: FakeReply[], run: Run) {
  const outcomes: unknown[] = [];
  const sent: unknown[] = [];
  for (const transport of ['sdk', 'wire'] as const) {
    fake.reset();
    fake.script(...replies);
    const provider = format.make(transport);
    try {
      outcomes.push(await run(provider));
      sent.push(fake.requests.map((r) => ({ path: r.path, body: r.body })));
    } finally {
      // A case may have closed it already.
      await provider.close?.().catch(() => undefined);
    }
  }
  return { sdk: outcomes[0], wire: outcomes[1], sentBySdk: sent[0], sentByWire: sent[1] };
}

/** Strips what differs between any two calls (ids, a date-derived retry wait) but not between transports. */
function comparable(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value ?? null));
}

const completeCases: Array<[string, FakeReply[], ProviderRequest, ProviderCallOptions?]> = [
  [
    'text with cached, reasoning and cache-write usage',
    [
      {
        text: 'Relevant, score 8.',
        usage: {
          inputTokens: 40,
          cacheReadTokens: 2_000,
          cacheWriteTokens: 96,
          cacheWrite1hTokens: 80,
          outputTokens: 12,
          reasoningTokens: 4,
        },
      },
    ],
    base,
  ],
  ['a length finish', [{ text: 'cut', finishReason: 'length' }], base],
  ['a response model of its own', [{ text: 'ok', responseModel: 'model-x-2026' }], base],
  [
    'structured output',
    [{ json: { label: 'yes', score: 3 } }],
    { ...base, output: { name: 'score', jsonSchema: schema } },
  ],
  [
    'structured output failing its schema (billed)',
    [{ json: { label: 'maybe', score: -1 }, usage: { inputTokens: 30, outputTokens: 9 } }],
    { ...base, output: { name: 'score', jsonSchema: schema } },
  ],
  [
    'stable parts with a 1-hour cache (cache_control, prompt_cache_key)',
    [{ text: 'ok' }],
    {
      ...base,
      stable: [
        { name: 'rubric', role: 'system', text: stable },
        { name: 'rules', role: 'user', text: 'Reference: the rule pack. '.repeat(200) },
      ],
      cache: { ttl: '1h', key: 'skill:score' },
    },
  ],
  ['429 with retry-after seconds', [{ status: 429, retryAfterSeconds: 7 }], base],
  ['429 with retry-after-ms', [{ status: 429, retryAfterMs: 1_250 }], base],
  ['500', [{ status: 500 }], base],
  ['503', [{ status: 503 }], base],
  ['529 overloaded', [{ status: 529 }], base],
  ['400', [{ status: 400 }], base],
  ['401', [{ status: 401 }], base],
  ['an error body that is not JSON', [{ status: 502, body: 'upstream gone' }], base],
  ['a slow reply past the timeout', [{ delayMs: 2_000 }], base, { timeoutMs: 80 }],
  ['a malformed body', [{ malformed: true }], base],
  ['a wrong-shaped body', [{ body: { id: 'x', content: 'not a list', choices: 'none' } }], base],
  ['a body cut mid-way', [{ cutAfterChunks: 0 }], base],
];

const streamCases: Array<[string, FakeReply[], ProviderRequest, ProviderCallOptions?]> = [
  [
    'text deltas with usage',
    [
      {
        text: 'Scores go up when METRC changes.',
        usage: { inputTokens: 25, cacheReadTokens: 1_000, outputTokens: 9 },
      },
    ],
    base,
  ],
  [
    'structured output',
    [{ json: { label: 'no', score: 1 } }],
    { ...base, output: { name: 'score', jsonSchema: schema } },
  ],
  [
    'structured output failing its schema',
    [{ json: { label: 5 } }],
    { ...base, output: { name: 'score', jsonSchema: schema } },
  ],
  [
    'a stream cut after two deltas',
    [
      {
        text: 'aaaa bbbb cccc dddd',
        chunks: ['aaaa ', 'bbbb ', 'cccc ', 'dddd'],
        cutAfterChunks: 2,
        usage: { inputTokens: 500, cacheReadTokens: 100, outputTokens: 5 },
      },
    ],
    base,
  ],
  ['a stream cut before any delta', [{ text: 'a b', chunks: ['a ', 'b'], cutAfterChunks: 0 }], base],
  ['429 before the stream', [{ status: 429, retryAfterSeconds: 2 }], base],
  ['500 before the stream', [{ status: 500 }], base],
  ['400 before the stream', [{ status: 400 }], base],
  ['a malformed event mid-stream', [{ text: 'one two three', malformed: true }], base],
  ['a slow start past the timeout', [{ delayMs: 2_000 }], base, { timeoutMs: 80 }],
  [
    'silence between events past the timeout',
    [{ text: 'slow slow slow', chunks: ['slow ', 'slow ', 'slow'], chunkDelayMs: 300 }],
    base,
    { timeoutMs: 120 },
  ],
];

describe.each(formats)('$name: wire transport against the SDK', (format) => {
  it.each(completeCases)('complete: %s', async (_name, replies, req, options) => {
    const { sdk, wire, sentBySdk, sentByWire } = await both(format, replies, (p) =>
      completeOutcome(p, req, options),
    );
    expect(comparable(wire)).toEqual(comparable(sdk));
    // Every case reaches the vendor: none is refused as a bad request before it is sent.
    expect((sentByWire as unknown[]).length).toBe(1);
    expect(sentByWire).toEqual(sentBySdk);
  });

  it.each(streamCases)('stream: %s', async (_name, replies, req, options) => {
    const { sdk, wire, sentBySdk, sentByWire } = await both(format, replies, (p) =>
      streamOutcome(p, req, options),
    );
    expect(comparable(wire)).toEqual(comparable(sdk));
    expect((sentByWire as unknown[]).length).toBe(1);
    expect(sentByWire).toEqual(sentBySdk);
  });

  it('stream: the caller aborting after the first delta ends it as aborted, billed for what came', async () => {
    const reply: FakeReply = {
      text: 'a b c d e f',
      chunks: ['a ', 'b ', 'c ', 'd ', 'e ', 'f'],
      chunkDelayMs: 40,
      usage: { inputTokens: 70 },
    };
    const { sdk, wire } = await both(format, [reply], (p) =>
      streamOutcome(p, base, {
        ...((c) => ({ signal: c.signal, abortOnFirstText: c }))(new AbortController()),
      }),
    );
    expect(comparable(wire)).toEqual(comparable(sdk));
    expect(JSON.stringify(wire)).toContain('"finishReason":"aborted"');
  });

  it('complete: the caller aborting a call in flight rejects with CANCELED on both', async () => {
    const { sdk, wire } = await both(format, [{ delayMs: 2_000 }], async (p) => {
      const controller = new AbortController();
      const pending = completeOutcome(p, base, { signal: controller.signal });
      await vi.waitFor(() => expect(fake.requests).toHaveLength(1), { timeout: 5_000, interval: 5 });
      controller.abort();
      return pending;
    });
    expect(comparable(wire)).toEqual(comparable(sdk));
    expect(wire).toMatchObject({ error: { code: 'CANCELED' } });
  });

  it('marks the prompt cache in the body it sends (cache_control / prompt_cache_key), as the SDK does', async () => {
    const cached = completeCases.find(([name]) => name.startsWith('stable parts'))!;
    const { sentBySdk, sentByWire } = await both(format, cached[1], (p) => completeOutcome(p, cached[2]));
    expect(sentByWire).toEqual(sentBySdk);
    const body = JSON.stringify(sentByWire);
    if (format.name === 'anthropic')
      expect(body).toContain('"cache_control":{"type":"ephemeral","ttl":"1h"}');
    else expect(body).toContain('"prompt_cache_key":"skill:score"');
  });

  it('sends the same authentication headers', async () => {
    const seen: Array<Record<string, unknown>> = [];
    for (const transport of ['sdk', 'wire'] as const) {
      fake.reset();
      fake.script({ text: 'ok' });
      const provider = format.make(transport);
      await provider.complete(base);
      await provider.close?.();
      const h = fake.requests[0]!.headers;
      seen.push({
        authorization: h.authorization,
        'x-api-key': h['x-api-key'],
        'anthropic-version': h['anthropic-version'],
        'content-type': h['content-type'],
      });
    }
    expect(seen[1]).toEqual(seen[0]);
  });

  it('a closed adapter fails its next call the same way on both', async () => {
    const { sdk, wire } = await both(format, [{ text: 'ok' }], async (p) => {
      await p.complete(base);
      await p.close?.();
      return completeOutcome(p, base);
    });
    expect(comparable(wire)).toEqual(comparable(sdk));
    expect(wire).toMatchObject({ error: { kind: 'connection' } });
  });
});
