import { randomUUID } from 'node:crypto';
import { ModelStreamChunk, type ModelUsage } from '@forge/contracts';
import { costMicros } from '@forge/models';
import { escalationPolicyFor, routingConfigFromObject } from '@forge/policy';
import type { CostLedgerEntry } from '@forge/store';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { gatewayTestRoutes, ok } from '../../test/gateway-fixtures.js';
import { type Harness, realPrices, startHarness, testRoutingConfig } from '../../test/harness.js';
import type { CallContext } from './call-context.js';

let h: Harness;
const spans = new InMemorySpanExporter();

beforeAll(async () => {
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }),
  );
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  h = await startHarness({ config: await testRoutingConfig(gatewayTestRoutes()) });
});

afterAll(async () => {
  await h?.close();
  trace.disable();
  context.disable();
});

beforeEach(() => {
  h.fake.reset();
});

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

function usageOf(row: CostLedgerEntry): ModelUsage {
  return {
    inputTokens: row.inputTokens,
    outputTokens: row.outputTokens,
    cacheReadTokens: row.cacheReadTokens,
    cacheWriteTokens: row.cacheWrite5mTokens,
    cacheWrite1hTokens: row.cacheWrite1hTokens,
    reasoningTokens: row.reasoningTokens,
  };
}

/** Odd counts, so every price's fraction of a micro-dollar shows in the rounding. */
const ODD = {
  inputTokens: 1234,
  outputTokens: 321,
  cacheReadTokens: 56_789,
  cacheWriteTokens: 4321,
  cacheWrite1hTokens: 987,
  reasoningTokens: 77,
};

describe('model gateway: every row costs exactly costMicros(its usage, its price)', () => {
  it.each([
    ['Anthropic, plain', 'scout.score', 'claude-haiku-5.5', false],
    ['Anthropic, streamed', 'scout.score', 'claude-haiku-5.5', true],
    ['OpenAI, plain', 'scout.draft', 'gpt-6-sol', false],
    ['OpenAI, streamed', 'scout.draft', 'gpt-6-sol', true],
  ] as const)('%s: cache reads and writes, reasoning', async (_name, skill, model, streamed) => {
    const prices = await realPrices();
    const task = await h.task({ skill });
    h.fake.script({ match: { model }, chunks: ['one ', 'two ', 'three'], usage: ODD });
    const reply = ok(
      await h.call(task, {
        purpose: 'draft',
        maxTokens: 400,
        ...(streamed ? { streamTo: `test.stream.${randomUUID()}` } : {}),
      }),
    );
    await h.flush();
    const [row] = await h.ledger.forTask(task.id);
    const price = routingConfigFromObject({ ...(await testRoutingConfig()), prices }, 't').prices[
      row!.model
    ]!;
    expect(row!.usageEstimated).toBe(false);
    expect(row!.costMicros).toBe(costMicros(usageOf(row!), price));
    expect(reply.costMicros).toBe(row!.costMicros);
    // The vendor's semantics were normalised, not passed through: nothing counted twice.
    const vendor = model.startsWith('gpt') ? 'openai' : 'anthropic';
    expect(usageOf(row!)).toEqual({
      ...ODD,
      // Anthropic reports no reasoning count and OpenAI no cache writes: what the vendor can say.
      ...(vendor === 'anthropic' ? { reasoningTokens: row!.reasoningTokens } : {}),
      ...(vendor === 'openai'
        ? { cacheWriteTokens: 0, cacheWrite1hTokens: 0, inputTokens: row!.inputTokens }
        : {}),
    });
  });

  it('bills nothing for a call the caller canceled before anything was sent', async () => {
    const task = await h.task({ skill: 'scout.score' });
    const abort = new AbortController();
    abort.abort();
    const config = h.router.routing.current.config;
    const outcome = await h.router.gateway.call(
      {
        source: 'task',
        taskId: task.id,
        attempt: 1,
        callId: 0,
        skill: 'scout.score',
        agent: 'scout',
        principal: 'alice',
        partner: null,
        tier: 'small',
        critical: false,
        maxTier: 'small',
        escalation: escalationPolicyFor(config, 'scout.score'),
      },
      { purpose: 'draft', messages: [{ role: 'user', content: 'x'.repeat(4000) }], maxTokens: 100 },
      { signal: abort.signal },
    );
    expect(outcome).toMatchObject({ ok: false, code: 'CANCELED' });
    expect(h.fake.requests).toHaveLength(0);
    await h.flush();
    const rows = await h.ledger.forTask(task.id);
    expect(rows.reduce((sum, r) => sum + r.costMicros, 0)).toBe(0);
  });

  it.each([
    ['Anthropic', 'scout.score', 'small', 'claude-haiku-5.5'],
    ['OpenAI', 'scout.draft', 'mid', 'gpt-6-sol'],
  ] as const)(
    '%s: a stream the caller aborts is billed for what came, at the exact price',
    async (_n, skill, tier, model) => {
      const prices = await realPrices();
      const task = await h.task({ skill });
      h.fake.script({
        match: { model },
        chunks: Array.from({ length: 40 }, (_, i) => `piece ${i} `),
        chunkDelayMs: 20,
        usage: ODD,
      });
      const abort = new AbortController();
      const config = h.router.routing.current.config;
      const ctx: CallContext = {
        source: 'task',
        taskId: task.id,
        attempt: 1,
        callId: 0,
        skill,
        agent: 'scout',
        principal: 'alice',
        partner: null,
        tier,
        critical: false,
        maxTier: tier,
        escalation: escalationPolicyFor(config, skill),
      };
      let deltas = 0;
      const outcome = await h.router.gateway.call(
        ctx,
        { purpose: 'draft', messages: [{ role: 'user', content: 'a long story' }], maxTokens: 400 },
        {
          signal: abort.signal,
          onDelta: () => {
            if (++deltas === 3) abort.abort();
          },
        },
      );
      expect(outcome).toMatchObject({ ok: false, code: 'CANCELED' });
      await h.flush();
      const [row] = await h.ledger.forTask(task.id);
      expect(row).toMatchObject({ outcome: 'canceled', usageEstimated: true });
      expect(row!.outputTokens).toBeGreaterThan(0);
      expect(row!.outputTokens).toBeLessThan(40);
      const price = routingConfigFromObject({ ...(await testRoutingConfig()), prices }, 't').prices[
        row!.model
      ]!;
      expect(row!.costMicros).toBe(costMicros(usageOf(row!), price));
      if (model.startsWith('claude')) {
        // Anthropic tells the prompt side up front: its cache reads and writes are billed as told.
        expect(usageOf(row!)).toMatchObject({
          inputTokens: ODD.inputTokens,
          cacheReadTokens: ODD.cacheReadTokens,
          cacheWriteTokens: ODD.cacheWriteTokens,
          cacheWrite1hTokens: ODD.cacheWrite1hTokens,
        });
      }
    },
  );
});
