import { randomUUID } from 'node:crypto';
import { costMicros } from '@forge/models';
import { budgetPeriod } from '@forge/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERDICT } from '../../test/gateway-fixtures.js';
import {
  capturingLogger,
  type Harness,
  realPrices,
  startHarness,
  testRoutingConfig,
} from '../../test/harness.js';

let h: Harness;
const { logger, lines } = capturingLogger();

beforeAll(async () => {
  h = await startHarness({
    // No key for either vendor: every call is answered by the offline provider.
    env: { ANTHROPIC_API_KEY: '', OPENAI_API_KEY: undefined },
    config: await testRoutingConfig({
      routes: { 'scout.score': { tier: 'small' } },
      budgets: { perAgent: { scout: { usd: 1, onExhausted: 'reject' } } },
    }),
    logger,
  });
});

afterAll(async () => {
  await h?.close();
});

describe('offline mode', () => {
  it('says loudly at start that Forge runs offline', () => {
    const banner = lines.find((line) => line.level === 40 && String(line.msg).includes('Forge runs OFFLINE'));
    expect(banner).toBeDefined();
  });

  it('answers with the offline provider, labelled, charging nothing and reporting the stand-in’s list price', async () => {
    const task = await h.task({ skill: 'scout.score' });
    const reply = await h.call(task, {
      system: 'Answer with one of: relevant, irrelevant. Relevant means cannabis compliance news.',
      messages: [{ role: 'user', content: 'METRC announces new seed-to-sale compliance reporting rules' }],
    });
    if (!reply.ok) throw new Error(JSON.stringify(reply));
    expect(reply).toMatchObject({ offline: true, model: 'offline:small', tier: 'small', costMicros: 0 });
    expect(['relevant', 'irrelevant']).toContain(reply.text);
    const haiku = (await realPrices())['anthropic:claude-haiku-5.5']!;
    expect(reply.shadowCostMicros).toBe(costMicros(reply.usage, haiku));
    expect(reply.shadowCostMicros).toBeGreaterThan(0);
    expect(h.fake.requests).toHaveLength(0);
    await h.flush();
    const [row] = await h.ledger.forTask(task.id);
    expect(row).toMatchObject({
      offline: true,
      provider: 'offline',
      standsInFor: 'anthropic:claude-haiku-5.5',
      costMicros: 0,
      shadowCostMicros: reply.shadowCostMicros,
      usageEstimated: true,
    });
  });

  it('is never blocked by an exhausted budget: an offline call costs $0', async () => {
    const id = randomUUID();
    await h.budgets.admit({
      reservationId: id,
      period: budgetPeriod(),
      scopes: [{ scope: 'agent:scout', capMicros: null }],
      amountMicros: 1_000_000,
      ttlMs: 60_000,
    });
    await h.budgets.settle([{ reservationId: id, actualMicros: 1_000_000 }]);
    const task = await h.task({ skill: 'scout.score' });
    const reply = await h.call(task, {
      purpose: 'summarize',
      messages: [{ role: 'user', content: 'Room 4 VPD is out of range. Humidity rose overnight.' }],
    });
    expect(reply).toMatchObject({ ok: true, offline: true, costMicros: 0 });
  });

  it('does not escalate a low-confidence offline answer when no real model is above it', async () => {
    const task = await h.task({ skill: 'scout.score' });
    const reply = await h.call(task, {
      system: 'Answer with one of: relevant, irrelevant. Relevant means cannabis compliance news.',
      messages: [{ role: 'user', content: 'The weather in Lisbon was mild on Tuesday' }],
      output: VERDICT,
    });
    if (!reply.ok) throw new Error(JSON.stringify(reply));
    // The offline scorer is unsure of an off-topic item, below the 0.6 threshold...
    expect((reply.output as { confidence: number }).confidence).toBeLessThan(0.6);
    // ...but asking the same scorer one tier up would change nothing: it answers at its tier.
    expect(reply).toMatchObject({ tier: 'small', model: 'offline:small' });
    expect(reply.notes.join('\n')).toMatch(/no real model above small/);
    await h.flush();
    expect(await h.ledger.forTask(task.id)).toHaveLength(1);
  });

  it('a critical skill ends needing a person, saying why', async () => {
    const task = await h.task({ skill: 'compliance.review', tierHint: 'frontier', critical: true });
    const reply = await h.call(task, { purpose: 'classify' });
    expect(reply.ok).toBe(false);
    if (reply.ok) return;
    expect(reply.inputRequired).toMatch(/critical.*running offline.*a person must decide/);
    expect(reply.error.retryable).toBe(false);
    await h.flush();
    expect(await h.ledger.forTask(task.id)).toHaveLength(0);
  });

  it('a judgment call ends needing a person even for a skill that is not critical', async () => {
    const task = await h.task({ skill: 'scout.score' });
    const reply = await h.call(task, { purpose: 'judge' });
    expect(reply).toMatchObject({ ok: false });
    if (reply.ok) return;
    expect(reply.inputRequired).toMatch(/needs judgment/);
  });
});
