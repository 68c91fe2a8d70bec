import { type FakeLlm, startFakeLlm } from '@forge/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AnthropicBatches } from './anthropic-batches.js';
import type { BatchApi } from './batch-api.js';
import { OpenAIBatches } from './openai-batches.js';
import type { ProviderRequest } from './provider.js';
import { ProviderError } from './provider-error.js';

let now = Date.parse('2026-11-30T00:00:00Z');
let fake: FakeLlm;

beforeAll(async () => {
  fake = await startFakeLlm({ clock: () => now, batchDelayMs: 1_000 });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.reset();
  fake.setBatchDelay(1_000);
});

const schema = {
  type: 'object',
  properties: { verdict: { type: 'string' }, confidence: { type: 'number' } },
  required: ['verdict', 'confidence'],
};

function requests(model: string): Map<string, ProviderRequest> {
  return new Map<string, ProviderRequest>([
    ['plain', { model, messages: [{ role: 'user', content: 'hello' }], maxTokens: 50 }],
    [
      'structured',
      {
        model,
        stable: [{ name: 'instructions', role: 'system', text: 'Judge the question.' }],
        messages: [{ role: 'user', content: 'Is it fine?' }],
        maxTokens: 200,
        output: { name: 'judgement', jsonSchema: schema },
      },
    ],
    [
      'bad-schema',
      {
        model,
        messages: [{ role: 'user', content: 'again' }],
        maxTokens: 200,
        output: { name: 'judgement', jsonSchema: schema },
      },
    ],
  ]);
}

const cases: Array<[string, () => BatchApi, string]> = [
  [
    'Anthropic Message Batches',
    () => new AnthropicBatches({ apiKey: 'k', baseUrl: fake.anthropicBaseUrl }),
    'claude-opus-5.5',
  ],
  ['OpenAI Batch API', () => new OpenAIBatches({ apiKey: 'k', baseUrl: fake.openaiBaseUrl }), 'gpt-6-astra'],
];

describe.each(cases)('%s through the SDK', (_name, make, model) => {
  it('submits, polls to the end, and reads each result as the adapter reads a reply', async () => {
    const api = make();
    const reqs = requests(model);
    fake.script(
      { text: 'hi there', usage: { inputTokens: 11, outputTokens: 3 } },
      { json: { verdict: 'compliant', confidence: 0.9 }, usage: { inputTokens: 40, outputTokens: 12 } },
      { json: { verdict: 'compliant' }, usage: { inputTokens: 30, outputTokens: 8 } },
    );
    const submitted = await api.submit([...reqs].map(([customId, request]) => ({ customId, request })));
    expect(submitted.state).toBe('in_progress');
    expect(submitted.counts.total).toBe(3);
    now += 2_000;
    const ended = await api.status(submitted.id);
    expect(ended.state).toBe('ended');
    expect(ended.counts).toMatchObject({ succeeded: 3, processing: 0 });
    const results = new Map((await api.results(submitted.id, reqs)).map((r) => [r.customId, r]));
    const plain = results.get('plain');
    expect(plain?.ok && plain.result.text).toBe('hi there');
    expect(plain?.ok && plain.result.usage).toMatchObject({ inputTokens: 11, outputTokens: 3 });
    const structured = results.get('structured');
    expect(structured?.ok && structured.result.output).toEqual({ verdict: 'compliant', confidence: 0.9 });
    // A reply failing its schema is an errored result that still carries what it used.
    const bad = results.get('bad-schema');
    expect(bad?.ok).toBe(false);
    expect(!bad?.ok && bad?.outcome).toBe('errored');
    expect(!bad?.ok && bad?.error instanceof ProviderError && bad.error.usage?.inputTokens).toBe(30);
  });

  it('reports errored, expired and canceled requests', async () => {
    const api = make();
    const reqs = requests(model);
    const one = new Map([...reqs].slice(0, 1));
    fake.script({ status: 400 });
    const errored = await api.submit([{ customId: 'plain', request: reqs.get('plain')! }]);
    fake.completeBatches();
    const [failure] = await api.results(errored.id, one);
    expect(failure).toMatchObject({ ok: false, outcome: 'errored' });
    expect(failure && !failure.ok && (failure.error as ProviderError).kind).toBe('client');

    const expiring = await api.submit([{ customId: 'plain', request: reqs.get('plain')! }]);
    fake.expireBatches();
    expect((await api.status(expiring.id)).state).toBe('ended');
    expect((await api.results(expiring.id, one))[0]).toMatchObject({ ok: false, outcome: 'expired' });

    const canceling = await api.submit([{ customId: 'plain', request: reqs.get('plain')! }]);
    expect((await api.cancel(canceling.id)).state).toBe('canceling');
    expect((await api.status(canceling.id)).state).toBe('ended');
    expect((await api.results(canceling.id, one))[0]).toMatchObject({ ok: false, outcome: 'canceled' });
  });

  it('turns an unknown batch into a client ProviderError', async () => {
    const error = await make()
      .status('nope')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).status).toBe(404);
  });
});
