import { randomUUID } from 'node:crypto';
import type { ModelCallReply } from '@forge/contracts';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness, testRoutingConfig } from '../test/harness.js';
import { ModelStreamChunk } from './stream-chunk.js';

let h: Harness;
const spans = new InMemorySpanExporter();

// Classification with a confidence, as a scoring skill asks for it.
const VERDICT = {
  name: 'verdict',
  jsonSchema: {
    type: 'object',
    properties: {
      label: { type: 'string', enum: ['relevant', 'irrelevant'] },
      confidence: { type: 'number' },
    },
    required: ['label', 'confidence'],
  },
};

beforeAll(async () => {
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }));
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const config = await testRoutingConfig(gatewayTestRoutes());
  h = await startHarness({ config });
});

afterAll(async () => {
  await h?.close();
  trace.disable();
  context.disable();
});

beforeEach(() => {
  h.fake.reset();
});

function ok(reply: ModelCallReply): Extract<ModelCallReply, { ok: true }> {
  if (!reply.ok) throw new Error(`expected a success, got ${JSON.stringify(reply)}`);
  return reply;
}

describe('model gateway: the ledger bills usage × price exactly', () => {
  it('Anthropic: input, cache reads, 5-minute and 1-hour cache writes', async () => {
    const task = await h.task({ skill: 'scout.score' });
    h.fake.script({
      match: { model: 'claude-haiku-5.5' },
      text: 'relevant',
      usage: {
        inputTokens: 1000,
        outputTokens: 500,
        cacheReadTokens: 20_000,
        cacheWriteTokens: 4000,
        cacheWrite1hTokens: 1000,
        reasoningTokens: 120,
      },
    });
    const reply = ok(await h.call(task, { maxTokens: 600 }));
    // Haiku 5.5 per million: input 0.10, output 0.50, cache read 0.01, write 5m 0.125, write 1h 0.20.
    // 1000×0.10 + 500×0.50 + 20000×0.01 + 4000×0.125 + 1000×0.20 = 100 + 250 + 200 + 500 + 200 µ$.
    expect(reply).toMatchObject({
      tier: 'small',
      model: 'anthropic:claude-haiku-5.5',
      offline: false,
      costMicros: 1250,
    });
    await h.flush();
    const [row, ...rest] = await h.ledger.forTask(task.id);
    expect(rest).toHaveLength(0);
    expect(row).toMatchObject({
      source: 'task',
      skill: 'scout.score',
      agent: 'scout',
      principal: 'alice',
      tier: 'small',
      provider: 'anthropic',
      model: 'anthropic:claude-haiku-5.5',
      inputTokens: 1000,
      outputTokens: 500,
      cacheReadTokens: 20_000,
      cacheWrite5mTokens: 4000,
      cacheWrite1hTokens: 1000,
      reasoningTokens: 120,
      costMicros: 1250,
      outcome: 'ok',
      escalated: false,
      fellBack: false,
    });
    expect(row?.rawUsage).toMatchObject({ input_tokens: 1000, cache_read_input_tokens: 20_000 });
    const span = spans.getFinishedSpans().find((s) => s.attributes['forge.task_id'] === task.id);
    expect(span?.name).toBe('chat claude-haiku-5.5');
    expect(span?.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-haiku-5.5',
      'gen_ai.usage.input_tokens': 1000 + 20_000 + 4000 + 1000,
      'gen_ai.usage.output_tokens': 500,
      'forge.tier': 'small',
      'forge.cost_micros': 1250,
      'forge.offline': false,
    });
  });

  it('OpenAI: cached tokens out of the prompt, reasoning inside the output', async () => {
    const task = await h.task({ skill: 'scout.draft' });
    h.fake.script({
      match: { model: 'gpt-6-sol' },
      text: 'a draft',
      usage: { inputTokens: 10_000, cacheReadTokens: 30_000, outputTokens: 800, reasoningTokens: 300 },
    });
    const reply = ok(await h.call(task, { purpose: 'draft', maxTokens: 1000 }));
    // Sol per million: input 2.00, output 10.00, cache read 0.20. prompt_tokens 40000 of which
    // 30000 cached: 10000×2 + 30000×0.2 + 800×10 = 20000 + 6000 + 8000 µ$ (reasoning not added again).
    expect(reply).toMatchObject({ tier: 'mid', model: 'openai:gpt-6-sol', costMicros: 34_000 });
    await h.flush();
    const [row] = await h.ledger.forTask(task.id);
    expect(row).toMatchObject({
      inputTokens: 10_000,
      cacheReadTokens: 30_000,
      outputTokens: 800,
      reasoningTokens: 300,
      costMicros: 34_000,
    });
    expect(row?.rawUsage).toMatchObject({
      prompt_tokens: 40_000,
      prompt_tokens_details: { cached_tokens: 30_000 },
    });
  });

  it('a stream: deltas go to streamTo, the usage the stream reports is billed', async () => {
    const task = await h.task({ skill: 'scout.draft' });
    const streamTo = `test.stream.${randomUUID()}`;
    const chunks: ModelStreamChunk[] = [];
    const sub = h.bus.subscribe(streamTo, ModelStreamChunk, (chunk) => chunks.push(chunk));
    await h.bus.nc.flush();
    h.fake.script({
      match: { model: 'gpt-6-sol' },
      chunks: ['Grow ', 'room 4 ', 'is ', 'back in range.'],
      usage: { inputTokens: 900, cacheReadTokens: 100, outputTokens: 40 },
    });
    const reply = ok(await h.call(task, { purpose: 'draft', streamTo, maxTokens: 100 }));
    await h.bus.nc.flush();
    sub.unsubscribe();
    expect(reply.text).toBe('Grow room 4 is back in range.');
    expect(chunks.map((c) => c.text).join('')).toBe(reply.text);
    expect(chunks.map((c) => c.index)).toEqual([0, 1, 2, 3]);
    // 900×2 + 100×0.2 + 40×10 = 1800 + 20 + 400 µ$.
    expect(reply.costMicros).toBe(2220);
    await h.flush();
    const [row] = await h.ledger.forTask(task.id);
    expect(row).toMatchObject({ costMicros: 2220, outcome: 'ok', usageEstimated: false });
    expect(h.fake.requests[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('a stream cut off mid-way is billed for what came, and not handed to another model', async () => {
    const task = await h.task({ skill: 'scout.score' });
    const streamTo = `test.stream.${randomUUID()}`;
    const chunks: string[] = [];
    const sub = h.bus.subscribe(streamTo, ModelStreamChunk, (chunk) => chunks.push(chunk.text));
    await h.bus.nc.flush();
    h.fake.script({
      match: { model: 'claude-haiku-5.5' },
      chunks: ['first part ', 'second part ', 'never sent'],
      cutAfterChunks: 2,
      usage: { inputTokens: 3000 },
    });
    const reply = await h.call(task, { purpose: 'draft', streamTo, maxTokens: 300 });
    await h.bus.nc.flush();
    sub.unsubscribe();
    expect(reply).toMatchObject({ ok: false, error: { code: 'PROVIDER_ERROR' } });
    expect(chunks.join('')).toBe('first part second part ');
    expect(h.fake.requests.map((r) => r.model)).toEqual(['claude-haiku-5.5']);
    await h.flush();
    const [row] = await h.ledger.forTask(task.id);
    // Anthropic reported the input at the start; the output is what arrived (23 chars → 6 tokens).
    expect(row).toMatchObject({
      outcome: 'connection',
      inputTokens: 3000,
      outputTokens: 6,
      usageEstimated: true,
    });
    expect(row?.costMicros).toBe(3000 * 0.1 + 6 * 0.5);
  });
});

describe('model gateway: fallback, retries, breaker', () => {
  it('falls back to the next model on 429, recorded with its reason', async () => {
    const task = await h.task({ skill: 'scout.score' });
    h.fake.script(
      { match: { model: 'claude-haiku-5.5' }, status: 429, retryAfterSeconds: 30 },
      { match: { model: 'gpt-6-luna' }, text: 'relevant', usage: { inputTokens: 50, outputTokens: 2 } },
    );
    const reply = ok(await h.call(task, {}));
    expect(reply.model).toBe('openai:gpt-6-luna');
    expect(reply.notes.join('\n')).toMatch(/claude-haiku-5\.5 rate_limited/);
    await h.flush();
    const rows = await h.ledger.forTask(task.id);
    expect(rows.map((r) => [r.seq, r.model, r.outcome, r.fellBack])).toEqual([
      [0, 'anthropic:claude-haiku-5.5', 'rate_limited', false],
      [1, 'openai:gpt-6-luna', 'ok', true],
    ]);
    expect(rows[1]?.reason).toMatch(/fallback: anthropic:claude-haiku-5\.5 rate_limited/);
    expect(rows[1]?.costMicros).toBe(50 * 0.1 + 2 * 0.5);
  });

  it('falls back on 500', async () => {
    const task = await h.task({ skill: 'scout.draft' });
    h.fake.script(
      { match: { model: 'gpt-6-sol' }, status: 500 },
      { match: { model: 'claude-sonnet-5.5' }, text: 'ok' },
    );
    const reply = ok(await h.call(task, { purpose: 'draft' }));
    expect(reply.model).toBe('anthropic:claude-sonnet-5.5');
    expect(reply.notes.join('\n')).toMatch(/gpt-6-sol server/);
  });

  it('falls back when the first model does not answer in time', async () => {
    const task = await h.task({ skill: 'scout.score' });
    h.fake.script(
      { match: { model: 'claude-haiku-5.5' }, delayMs: 2_000, text: 'late' },
      { match: { model: 'gpt-6-luna' }, text: 'on time' },
    );
    const started = Date.now();
    const reply = ok(await h.call(task, {}));
    expect(reply.text).toBe('on time');
    expect(Date.now() - started).toBeLessThan(2_000);
    await h.flush();
    const rows = await h.ledger.forTask(task.id);
    expect(rows.map((r) => r.outcome)).toEqual(['timeout', 'ok']);
  });

  it('retries with backoff honouring retry-after when configured to', async () => {
    const config = await testRoutingConfig({
      tiers: {
        small: ['anthropic:claude-haiku-5.5'],
        mid: ['openai:gpt-6-sol'],
        frontier: ['anthropic:claude-opus-5.5'],
      },
      routes: { 'scout.score': { tier: 'small' } },
      gateway: {
        timeouts: { firstTokenMs: 800, idleMs: 800, totalMs: 6000 },
        retries: { maxRetries: 2, backoffBaseMs: 10, backoffMaxMs: 50, maxRetryAfterMs: 2000 },
        breaker: { failureThreshold: 50, windowMs: 60_000, cooldownMs: 60_000 },
        reservationTtlMs: 60_000,
      },
    });
    await h.writeConfig(config);
    expect(await h.router.reload()).toBe(true);
    try {
      const task = await h.task({ skill: 'scout.score' });
      h.fake.script({ status: 429, retryAfterMs: 300 }, { status: 503 }, { text: 'third time' });
      const started = Date.now();
      const reply = ok(await h.call(task, {}));
      expect(reply.text).toBe('third time');
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
      expect(h.fake.requests).toHaveLength(3);
    } finally {
      await h.writeConfig(await testRoutingConfig(gatewayTestRoutes()));
      await h.router.reload();
    }
  });

  it('opens a model’s breaker after repeated failures, skips it, and closes it after a good probe', async () => {
    await h.writeConfig(
      await testRoutingConfig({
        ...gatewayTestRoutes(),
        gateway: {
          timeouts: { firstTokenMs: 800, idleMs: 800, totalMs: 6000 },
          retries: { maxRetries: 0, backoffBaseMs: 10, backoffMaxMs: 50, maxRetryAfterMs: 2000 },
          breaker: { failureThreshold: 3, windowMs: 60_000, cooldownMs: 400 },
          reservationTtlMs: 60_000,
        },
      }),
    );
    expect(await h.router.reload()).toBe(true);
    const task = await h.task({ skill: 'scout.score' });
    // A success first, so failures from earlier tests do not count.
    h.fake.script({ match: { model: 'claude-haiku-5.5' }, text: 'fine' });
    expect(ok(await h.call(task, {})).model).toBe('anthropic:claude-haiku-5.5');
    for (let i = 0; i < 3; i++) {
      h.fake.script(
        { match: { model: 'claude-haiku-5.5' }, status: 500 },
        { match: { model: 'gpt-6-luna' }, text: 'fallback' },
      );
      expect(ok(await h.call(task, {})).model).toBe('openai:gpt-6-luna');
    }
    h.fake.reset();
    h.fake.script({ match: { model: 'gpt-6-luna' }, text: 'breaker open' });
    const skipped = ok(await h.call(task, {}));
    expect(skipped.model).toBe('openai:gpt-6-luna');
    expect(skipped.notes).toContain('anthropic:claude-haiku-5.5 skipped: circuit breaker open');
    expect(h.fake.requests.map((r) => r.model)).toEqual(['gpt-6-luna']);
    await new Promise((resolve) => setTimeout(resolve, 450));
    h.fake.script(
      { match: { model: 'claude-haiku-5.5' }, text: 'probe' },
      { match: { model: 'claude-haiku-5.5' }, text: 'closed' },
    );
    expect(ok(await h.call(task, {})).text).toBe('probe');
    expect(ok(await h.call(task, {})).text).toBe('closed');
  });
});

describe('model gateway: structured output and escalation', () => {
  it('retries a reply failing the schema once, then escalates one tier, recording why', async () => {
    const task = await h.task({ skill: 'scout.score' });
    h.fake.script(
      { match: { model: 'claude-haiku-5.5' }, json: { label: 'maybe', confidence: 0.9 } },
      { match: { model: 'claude-haiku-5.5' }, json: { label: 'perhaps', confidence: 0.9 } },
      { match: { model: 'gpt-6-sol' }, json: { label: 'relevant', confidence: 0.9 } },
    );
    const reply = ok(await h.call(task, { output: VERDICT }));
    expect(reply).toMatchObject({
      tier: 'mid',
      model: 'openai:gpt-6-sol',
      output: { label: 'relevant', confidence: 0.9 },
    });
    expect(reply.notes.some((n) => n.startsWith('retry on anthropic:claude-haiku-5.5'))).toBe(true);
    expect(reply.notes.some((n) => n.startsWith('escalating small → mid'))).toBe(true);
    await h.flush();
    const rows = await h.ledger.forTask(task.id);
    expect(rows.map((r) => [r.tier, r.outcome, r.escalated])).toEqual([
      ['small', 'bad_response', false],
      ['small', 'bad_response', false],
      ['mid', 'ok', true],
    ]);
    expect(rows[1]?.reason).toMatch(/retry: the previous reply failed the output schema/);
    expect(rows[2]?.reason).toMatch(/escalated from small/);
    // The failed replies were billed too.
    expect(rows[0]!.costMicros).toBeGreaterThan(0);
  });

  it('escalates a classification whose confidence is below the threshold', async () => {
    const task = await h.task({ skill: 'scout.score' });
    h.fake.script(
      { match: { model: 'claude-haiku-5.5' }, json: { label: 'irrelevant', confidence: 0.3 } },
      { match: { model: 'gpt-6-sol' }, json: { label: 'relevant', confidence: 0.95 } },
    );
    const reply = ok(await h.call(task, { output: VERDICT }));
    expect(reply).toMatchObject({ tier: 'mid', output: { label: 'relevant' } });
    expect(reply.notes).toContain('escalating small → mid: confidence 0.3 is below 0.6');
  });

  it('stops at the skill’s maximum tier and answers with what it has', async () => {
    const task = await h.task({ skill: 'scout.capped' });
    h.fake.script({ match: { model: 'claude-haiku-5.5' }, json: { label: 'irrelevant', confidence: 0.2 } });
    const reply = ok(await h.call(task, { output: VERDICT }));
    expect(reply).toMatchObject({ tier: 'small', output: { confidence: 0.2 } });
    expect(reply.notes[0]).toMatch(/no escalation above small \(max tier small\)/);
    expect(h.fake.requests).toHaveLength(1);
  });

  it('answers with the best reply when the budget refuses the escalation, and records the refusal', async () => {
    const task = await h.task({ skill: 'tight.score' });
    h.fake.script({ match: { model: 'claude-haiku-5.5' }, json: { label: 'relevant', confidence: 0.4 } });
    const reply = ok(await h.call(task, { output: VERDICT }));
    expect(reply).toMatchObject({ tier: 'small', output: { label: 'relevant', confidence: 0.4 } });
    expect(reply.notes.join('\n')).toMatch(/escalation to mid refused: budget agent tight has no room/);
    expect(h.fake.requests).toHaveLength(1);
    await h.flush();
    const rows = await h.ledger.forTask(task.id);
    expect(rows.map((r) => [r.tier, r.outcome])).toEqual([
      ['small', 'ok'],
      ['mid', 'refused'],
      ['mid', 'refused'],
    ]);
  });
});

/**
 * This file's routing: OpenAI first at mid (so OpenAI's usage semantics are exercised without a
 * fallback); agent `tight` gets $0.001, where a small call (at most ~$0.0001) fits and a mid call
 * (at most ~$0.002) does not.
 */
function gatewayTestRoutes() {
  return {
    tiers: {
      small: ['anthropic:claude-haiku-5.5', 'openai:gpt-6-luna'],
      mid: ['openai:gpt-6-sol', 'anthropic:claude-sonnet-5.5'],
      frontier: ['anthropic:claude-opus-5.5', 'openai:gpt-6-astra'],
    },
    routes: {
      'scout.score': { tier: 'small' as const, maxTier: 'mid' as const },
      'scout.draft': { tier: 'mid' as const },
      'tight.score': { tier: 'small' as const, maxTier: 'mid' as const },
      'scout.capped': { tier: 'small' as const, maxTier: 'small' as const },
    },
    budgets: { perAgent: { tight: { usd: 0.001, onExhausted: 'reject' as const } } },
  };
}
