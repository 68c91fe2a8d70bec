import { budgetPeriod } from '@forge/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness, testRoutingConfig, waitFor } from '../test/harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    // Nothing is written before stop: the flush on stop must write it all.
    env: { FORGE_LEDGER_FLUSH_MS: '10000', FORGE_SHUTDOWN_GRACE_MS: '1000' },
    config: await testRoutingConfig({
      routes: { 'scout.score': { tier: 'small' } },
      budgets: { perAgent: { scout: { usd: 10, onExhausted: 'reject' } } },
      gateway: {
        timeouts: { firstTokenMs: 10_000, idleMs: 10_000, totalMs: 20_000 },
        reservationTtlMs: 60_000,
      },
    }),
  });
});

afterAll(async () => {
  await h?.close();
});

describe('stop', () => {
  it('aborts a call still running at the end of the grace, answers it, and loses no ledger row', async () => {
    const task = await h.task({ skill: 'scout.score' });
    h.fake.script(
      { text: 'quick', usage: { inputTokens: 100, outputTokens: 10 } },
      { text: 'too slow', delayMs: 10_000 },
    );
    const first = await h.call(task, {});
    expect(first).toMatchObject({ ok: true, costMicros: 100 * 0.1 + 10 * 0.5 });
    expect(await h.ledger.forTask(task.id)).toHaveLength(0);

    const second = h.call(task, {}, 20_000);
    await waitFor(() => h.fake.requests.length === 2, 5_000, 'the slow call to reach the model');
    const started = Date.now();
    await h.router.stop();
    expect(Date.now() - started).toBeLessThan(3_000);
    const reply = await second;
    expect(reply).toMatchObject({ ok: false, error: { code: 'CANCELED' } });

    const rows = await h.ledger.forTask(task.id);
    expect(rows.map((r) => r.outcome)).toEqual(['ok', 'canceled']);
    // Both reservations were settled: nothing is held, the spend is what the calls cost.
    const usage = await h.budgets.usage(budgetPeriod(), ['agent:scout']);
    expect(usage.get('agent:scout')?.reservedMicros).toBe(0);
    expect(usage.get('agent:scout')?.spentMicros).toBe(rows.reduce((sum, r) => sum + r.costMicros, 0));
  });
});
