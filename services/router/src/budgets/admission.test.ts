import { randomUUID } from 'node:crypto';
import { TaskEnvelope } from '@forge/contracts';
import { costMicros, estimatePromptTokens, maxCostMicros } from '@forge/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, realPrices, startHarness, testRoutingConfig, waitFor } from '../../test/harness.js';
import { reservationInputTokens } from './budget-gate.js';

let h: Harness;

// 76 characters: a prompt estimate of 19 tokens, padded to 40 for the reservation.
const CONTENT = 'Score this headline for cannabis compliance relevance: METRC audit due today';
const MAX_TOKENS = 200;
const K = 7;
let perCall: number;
/** On a loaded machine, 100 calls at once must not time out into fallbacks. */
const GENEROUS = {
  timeouts: { firstTokenMs: 15_000, idleMs: 15_000, totalMs: 20_000 },
  reservationTtlMs: 60_000,
};

beforeAll(async () => {
  const prices = await realPrices();
  const haiku = prices['anthropic:claude-haiku-5.5']!;
  const padded = reservationInputTokens(estimatePromptTokens({ messages: [{ content: CONTENT }] }));
  perCall = maxCostMicros(padded, MAX_TOKENS, haiku);
  // The fake bills exactly the reservation, so settling frees nothing and the cap holds k calls ever.
  expect(
    costMicros(
      {
        inputTokens: padded,
        outputTokens: MAX_TOKENS,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        cacheWrite1hTokens: 0,
        reasoningTokens: 0,
      },
      haiku,
    ),
  ).toBe(perCall);
  const capMicros = K * perCall + perCall - 1;
  h = await startHarness({
    replicas: 2,
    config: await testRoutingConfig({
      routes: { 'conc.score': { tier: 'small' } },
      budgets: { perAgent: { conc: { usd: capMicros / 1_000_000, onExhausted: 'reject' } } },
      // Generous: on a loaded machine 100 calls at once must not time out into fallbacks.
      gateway: {
        timeouts: { firstTokenMs: 15_000, idleMs: 15_000, totalMs: 20_000 },
        reservationTtlMs: 60_000,
      },
    }),
  });
});

afterAll(async () => {
  await h?.close();
});

describe('budget admission across router replicas', () => {
  it(`with a cap worth ${K} calls, 100 concurrent calls through two gateways admit at most ${K}`, async () => {
    const task = await h.task({ skill: 'conc.score' });
    await h.bus.publish(h.bus.subjects.taskRoute, TaskEnvelope, task, { msgId: `route:${task.id}` });
    await waitFor(async () => (await h.decisions.get(task.id)) !== null, 5_000, 'the routing decision');
    const padded = reservationInputTokens(estimatePromptTokens({ messages: [{ content: CONTENT }] }));
    h.fake.script(
      ...Array.from({ length: 100 }, () => ({
        text: 'relevant',
        delayMs: 20,
        usage: { inputTokens: padded, outputTokens: MAX_TOKENS },
      })),
    );
    const before = h.routers.map((r) => r.stats.count);
    const replies = await Promise.all(
      Array.from({ length: 100 }, () =>
        h.call(task, { messages: [{ role: 'user', content: CONTENT }], maxTokens: MAX_TOKENS }, 20_000),
      ),
    );
    const admitted = replies.filter((r) => r.ok);
    const refused = replies.filter((r) => !r.ok);
    expect(admitted).toHaveLength(K);
    expect(refused.filter((r) => r.ok || r.error.code !== 'BUDGET_EXHAUSTED')).toEqual([]);
    expect(h.fake.requests).toHaveLength(K);
    // Both replicas took calls: the cap held across processes, not inside one.
    for (const [i, r] of h.routers.entries()) expect(r.stats.count).toBeGreaterThan(before[i]!);
    await h.flush();
    const rows = await h.ledger.forTask(task.id);
    const paid = rows.filter((r) => r.outcome === 'ok');
    expect(paid).toHaveLength(K);
    expect(paid.reduce((sum, r) => sum + r.costMicros, 0)).toBe(K * perCall);
    const usage = await h.budgets.usage(new Date().toISOString().slice(0, 7), ['agent:conc']);
    expect(usage.get('agent:conc')).toEqual({ spentMicros: K * perCall, reservedMicros: 0 });
  });

  it('reports the gateway’s own overhead per call (decision lookup, admission, accounting)', async () => {
    const task = await h.task({ skill: 'conc.score' }, { id: randomUUID() });
    // This agent's money is spent: measure on a tier with room by widening the cap.
    await h.writeConfig(
      await testRoutingConfig({
        routes: { 'conc.score': { tier: 'small' } },
        budgets: { perAgent: { conc: { usd: 100, onExhausted: 'reject' } } },
        gateway: GENEROUS,
      }),
    );
    for (const router of h.routers) expect(await router.reload()).toBe(true);
    const router = h.routers[0]!;
    for (let i = 0; i < 20; i++) await router.modelCalls.handle(request(task.id, i));
    router.stats.reset();
    const n = 100;
    for (let i = 0; i < n; i++) {
      const reply = await router.modelCalls.handle(request(task.id, 100 + i));
      expect(reply.ok).toBe(true);
    }
    expect(router.stats.count).toBe(n);
    const p50 = router.stats.percentile(50)!;
    const p99 = router.stats.percentile(99)!;
    console.log(`gateway overhead over ${n} calls: p50 ${p50.toFixed(3)} ms, p99 ${p99.toFixed(3)} ms`);
    expect(p50).toBeLessThanOrEqual(p99);
  });
});

describe('budget admission with leases, across router replicas', () => {
  it('100 concurrent calls through two gateways never pass a cap worth 60 calls; leases go back when idle', async () => {
    const capMicros = 60 * perCall;
    await h.writeConfig(
      await testRoutingConfig({
        routes: { 'conc.score': { tier: 'small' }, 'lease.score': { tier: 'small' } },
        budgets: {
          perAgent: {
            conc: { usd: 100, onExhausted: 'reject' },
            lease: { usd: capMicros / 1_000_000, onExhausted: 'reject' },
          },
        },
        gateway: GENEROUS,
      }),
    );
    for (const router of h.routers) expect(await router.reload()).toBe(true);
    const task = await h.task({ skill: 'lease.score' });
    h.fake.reset();
    const padded = reservationInputTokens(estimatePromptTokens({ messages: [{ content: CONTENT }] }));
    h.fake.script(
      ...Array.from({ length: 100 }, () => ({
        text: 'relevant',
        delayMs: 20,
        usage: { inputTokens: padded, outputTokens: MAX_TOKENS },
      })),
    );
    const replies = await Promise.all(
      Array.from({ length: 100 }, () =>
        h.call(task, { messages: [{ role: 'user', content: CONTENT }], maxTokens: MAX_TOKENS }, 20_000),
      ),
    );
    const admitted = replies.filter((r) => r.ok).length;
    expect(replies.filter((r) => !r.ok && r.error.code !== 'BUDGET_EXHAUSTED')).toEqual([]);
    // Never past the cap; a live lease of the other replica may keep the last few calls out.
    expect(admitted).toBeLessThanOrEqual(60);
    expect(admitted).toBeGreaterThanOrEqual(40);
    expect(h.fake.requests).toHaveLength(admitted);
    await h.flush();
    const period = new Date().toISOString().slice(0, 7);
    await waitFor(
      async () => {
        await h.flush();
        return (await h.budgets.usage(period, ['agent:lease'])).get('agent:lease')?.reservedMicros === 0;
      },
      8_000,
      'the idle leases to be released',
    );
    expect((await h.budgets.usage(period, ['agent:lease'])).get('agent:lease')).toEqual({
      spentMicros: admitted * perCall,
      reservedMicros: 0,
    });
  });
});

function request(taskId: string, callId: number) {
  return {
    v: 1 as const,
    taskId,
    attempt: 1,
    callId,
    skill: 'conc.score',
    purpose: 'classify' as const,
    messages: [{ role: 'user' as const, content: CONTENT }],
    maxTokens: MAX_TOKENS,
  };
}
