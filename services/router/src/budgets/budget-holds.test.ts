import { randomUUID } from 'node:crypto';
import { costMicros, estimatePromptTokens, maxCostMicros } from '@forge/models';
import type { RoutingConfigInput } from '@forge/policy';
import { budgetPeriod } from '@forge/store';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, realPrices, startHarness, testRoutingConfig, waitFor } from '../../test/harness.js';
import { reservationInputTokens } from './budget-gate.js';

let h: Harness;
let perCall: number;
let haiku: NonNullable<RoutingConfigInput['prices']>[string];

const CONTENT = 'Is this headline about cannabis compliance?';
const MAX_TOKENS = 200;

/** One model per tier (no fallback hides what a hold does), agent `hold` capped at 1.5 calls. */
async function config(gateway: Partial<RoutingConfigInput['gateway']>): Promise<RoutingConfigInput> {
  return testRoutingConfig({
    tiers: {
      small: ['anthropic:claude-haiku-5.5'],
      mid: ['anthropic:claude-sonnet-5.5'],
      frontier: ['anthropic:claude-opus-5.5'],
    },
    routes: { 'hold.score': { tier: 'small', maxTier: 'small' } },
    budgets: { perAgent: { hold: { usd: (perCall * 1.5) / 1_000_000, onExhausted: 'reject' } } },
    gateway: {
      timeouts: { firstTokenMs: 3_000, idleMs: 3_000, totalMs: 5_000 },
      retries: { maxRetries: 0, backoffBaseMs: 10, backoffMaxMs: 50, maxRetryAfterMs: 2000 },
      breaker: { failureThreshold: 50, windowMs: 60_000, cooldownMs: 60_000 },
      reservationTtlMs: 60_000,
      ...gateway,
    },
  });
}

beforeAll(async () => {
  haiku = (await realPrices())['anthropic:claude-haiku-5.5']!;
  const prompt = reservationInputTokens(estimatePromptTokens({ messages: [{ content: CONTENT }] }));
  perCall = maxCostMicros(prompt, MAX_TOKENS, haiku);
  h = await startHarness({ config: await config({}) });
});

afterAll(async () => {
  await h?.close();
});

beforeEach(() => {
  h.fake.reset();
});

async function useConfig(gateway: Partial<RoutingConfigInput['gateway']>): Promise<void> {
  await h.writeConfig(await config(gateway));
  expect(await h.router.reload()).toBe(true);
}

const ask = { messages: [{ role: 'user' as const, content: CONTENT }], maxTokens: MAX_TOKENS };

describe('budget holds', () => {
  it('keep counting for as long as their call runs, even past a shorter reservation TTL', async () => {
    // A reservation TTL far below the call's time: the hold must still outlive the call.
    await useConfig({ reservationTtlMs: 200 });
    const task = await h.task({ skill: 'hold.score' });
    h.fake.script({ text: 'slow but fine', delayMs: 2_000, usage: { inputTokens: 10, outputTokens: 2 } });
    const first = h.call(task, ask);
    await waitFor(() => h.fake.requests.length === 1, 5_000, 'the first call to reach the model');
    // Past the TTL, the first call is still running and its hold must still count.
    await new Promise((resolve) => setTimeout(resolve, 400));
    const second = await h.call(task, ask);
    expect(second).toMatchObject({ ok: false, error: { code: 'BUDGET_EXHAUSTED' } });
    expect(h.fake.requests).toHaveLength(1);
    expect(await first).toMatchObject({ ok: true, text: 'slow but fine' });
    await h.flush();
    const usage = (await h.budgets.usage(budgetPeriod(), ['agent:hold'])).get('agent:hold');
    expect(usage).toEqual({ spentMicros: costMicros(zeroPlus(10, 2), haiku), reservedMicros: 0 });
  });

  it('count spend from the first call, so a cap added later by a reload sees the month’s spend', async () => {
    const uncapped = await config({});
    await h.writeConfig({ ...uncapped, routes: { 'fresh.score': { tier: 'small' } }, budgets: {} });
    expect(await h.router.reload()).toBe(true);
    const task = await h.task({ skill: 'fresh.score' });
    h.fake.script({ text: 'paid', usage: { inputTokens: 1000, outputTokens: 500 } });
    expect(await h.call(task, ask)).toMatchObject({ ok: true, costMicros: 350 });
    await h.flush();
    // An operator caps the agent below what it already spent this month.
    await h.writeConfig({
      ...uncapped,
      routes: { 'fresh.score': { tier: 'small' } },
      budgets: { perAgent: { fresh: { usd: 0.0003, onExhausted: 'reject' } } },
    });
    expect(await h.router.reload()).toBe(true);
    const refused = await h.call(task, ask);
    expect(refused).toMatchObject({ ok: false, error: { code: 'BUDGET_EXHAUSTED' } });
    expect(!refused.ok && refused.error.message).toMatch(/budget agent fresh has no room/);
    expect(h.fake.requests).toHaveLength(1);
  });

  it('a stream that keeps talking is cut at the call’s deadline, billed for what came, its hold settled', async () => {
    await useConfig({ timeouts: { firstTokenMs: 800, idleMs: 800, totalMs: 1_000 } });
    const task = await h.task({ skill: 'hold.score' }, { id: randomUUID() });
    h.fake.script({
      chunks: Array.from({ length: 20 }, (_, i) => `word${i} `),
      chunkDelayMs: 250,
      usage: { inputTokens: 10 },
    });
    const started = Date.now();
    const reply = await h.call(task, { ...ask, purpose: 'draft', streamTo: `test.stream.${randomUUID()}` });
    // The whole stream would take 5 s; the call's limit is 1 s.
    expect(Date.now() - started).toBeLessThan(3_500);
    expect(reply).toMatchObject({ ok: false, error: { code: 'DEADLINE_EXCEEDED' } });
    expect(!reply.ok && reply.error.message).toMatch(/stream cut at the call's 1000 ms limit/);
    await h.flush();
    const [row, ...rest] = await h.ledger.forTask(task.id);
    expect(rest).toHaveLength(0);
    expect(row).toMatchObject({ outcome: 'deadline_exceeded', inputTokens: 10 });
    expect(row!.outputTokens).toBeGreaterThan(0);
    expect(row!.costMicros).toBe(costMicros(usageOf(row!), haiku));
    const usage = (await h.budgets.usage(budgetPeriod(), ['agent:hold'])).get('agent:hold');
    expect(usage?.reservedMicros).toBe(0);
  });

  it("a stream cut at the caller's earlier deadline says so, not the gateway's limit", async () => {
    await useConfig({ timeouts: { firstTokenMs: 800, idleMs: 800, totalMs: 10_000 } });
    const task = await h.task({ skill: 'hold.score' }, { id: randomUUID() });
    h.fake.script({
      chunks: Array.from({ length: 20 }, (_, i) => `word${i} `),
      chunkDelayMs: 250,
      usage: { inputTokens: 10 },
    });
    const reply = await h.call(task, {
      ...ask,
      purpose: 'draft',
      streamTo: `test.stream.${randomUUID()}`,
      timeoutMs: 900,
    });
    expect(reply).toMatchObject({ ok: false, error: { code: 'DEADLINE_EXCEEDED' } });
    expect(!reply.ok && reply.error.message).toMatch(/stream cut at the caller's deadline \(\d+ ms after/);
    expect(!reply.ok && reply.error.message).not.toMatch(/10000 ms limit/);
  });
});

function zeroPlus(inputTokens: number, outputTokens: number) {
  return {
    inputTokens,
    outputTokens,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    cacheWrite1hTokens: 0,
    reasoningTokens: 0,
  };
}

function usageOf(row: {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWrite5mTokens: number;
  cacheWrite1hTokens: number;
  reasoningTokens: number;
}) {
  return {
    inputTokens: row.inputTokens,
    outputTokens: row.outputTokens,
    cacheReadTokens: row.cacheReadTokens,
    cacheWriteTokens: row.cacheWrite5mTokens,
    cacheWrite1hTokens: row.cacheWrite1hTokens,
    reasoningTokens: row.reasoningTokens,
  };
}
