import { budgetPeriod } from '@forge/store';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ok, VERDICT } from '../../test/gateway-fixtures.js';
import { type Harness, realPrices, startHarness, testRoutingConfig } from '../../test/harness.js';

let h: Harness;
const KEY = 'fk_test_spent_0123456789';
const LOCAL = 'openai-compatible:local/llama3';

/**
 * A local server priced at $0 beside paid vendors: small is paid then local, mid is local only.
 * Agent `spent`, principal `spent` and the month are exhausted from the start.
 */
async function config(localUrl: string) {
  const prices = await realPrices();
  return testRoutingConfig({
    tiers: {
      small: ['anthropic:claude-haiku-5.5', LOCAL],
      mid: [LOCAL],
      frontier: ['anthropic:claude-opus-5.5'],
    },
    prices: { ...prices, [LOCAL]: { input: 0, output: 0, readOn: '2026-11-29' } },
    providers: { openaiCompatible: { local: { baseUrl: localUrl } } },
    routes: {
      'spent.score': { tier: 'small', maxTier: 'mid' },
      'spent.paid': { tier: 'small', maxTier: 'small' },
    },
    principals: { spent: { defaultRoute: 'small' } },
    budgets: {
      perAgent: { spent: { usd: 0.0001, onExhausted: 'reject' } },
      perPrincipal: { spent: { usd: 0.0001, onExhausted: 'reject' } },
    },
  });
}

beforeAll(async () => {
  h = await startHarness({
    config: await testRoutingConfig(),
    apiKeys: { spent: KEY },
  });
  await h.writeConfig(await config(h.fake.openaiBaseUrl));
  expect(await h.router.reload()).toBe(true);
  // Spend both capped scopes to the last micro-dollar.
  for (const scope of ['agent:spent', 'principal:spent']) {
    const id = crypto.randomUUID();
    await h.budgets.admit({
      reservationId: id,
      period: budgetPeriod(),
      scopes: [{ scope, capMicros: null }],
      amountMicros: 100,
      ttlMs: 60_000,
    });
    await h.budgets.settle([{ reservationId: id, actualMicros: 100 }]);
  }
});

afterAll(async () => {
  await h?.close();
});

beforeEach(() => {
  h.fake.reset();
});

async function post(body: unknown) {
  const res = await fetch(`${h.router.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('a $0 model is never blocked by an exhausted budget', () => {
  it('gateway: the paid model is refused, the $0 model of the same tier answers', async () => {
    const task = await h.task({ skill: 'spent.score' });
    h.fake.script({ match: { model: 'llama3' }, text: 'local answer' });
    const reply = ok(await h.call(task, {}));
    expect(reply).toMatchObject({ model: LOCAL, costMicros: 0, text: 'local answer' });
    expect(reply.notes.join('\n')).toMatch(/claude-haiku-5\.5 not called: budget agent spent has no room/);
    expect(h.fake.requests.map((r) => r.model)).toEqual(['llama3']);
  });

  it('gateway: an escalation to a $0 tier passes admission with the budget exhausted', async () => {
    const task = await h.task({ skill: 'spent.score' });
    h.fake.script(
      { match: { model: 'llama3' }, json: { label: 'relevant', confidence: 0.2 } },
      { match: { model: 'llama3' }, json: { label: 'irrelevant', confidence: 0.9 } },
    );
    const reply = ok(await h.call(task, { output: VERDICT }));
    expect(reply).toMatchObject({ tier: 'mid', model: LOCAL, costMicros: 0, output: { confidence: 0.9 } });
    expect(reply.notes.join('\n')).toMatch(/escalating small → mid: confidence 0\.2/);
  });

  it('gateway: a paid-only tier is refused (the budget does hold)', async () => {
    const task = await h.task({ skill: 'spent.paid' });
    await h.writeConfig({
      ...(await config(h.fake.openaiBaseUrl)),
      tiers: { small: ['anthropic:claude-haiku-5.5'], mid: [LOCAL], frontier: ['anthropic:claude-opus-5.5'] },
    });
    expect(await h.router.reload()).toBe(true);
    try {
      const reply = await h.call(task, {});
      expect(reply).toMatchObject({ ok: false, error: { code: 'BUDGET_EXHAUSTED' } });
      expect(h.fake.requests).toHaveLength(0);
    } finally {
      await h.writeConfig(await config(h.fake.openaiBaseUrl));
      expect(await h.router.reload()).toBe(true);
    }
  });

  it('/v1/chat/completions: forge:auto routes the spent principal to its tier’s $0 model', async () => {
    h.fake.script({ match: { model: 'llama3' }, text: 'auto, local' });
    const res = await post({ model: 'forge:auto', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ model: LOCAL, forge: { tier: 'small', cost_micros: 0 } });
  });

  it('/v1/chat/completions: forge:small falls through to the $0 model, and escalation to $0 passes', async () => {
    h.fake.script(
      { match: { model: 'llama3' }, json: { label: 'relevant', confidence: 0.1 } },
      { match: { model: 'llama3' }, json: { label: 'relevant', confidence: 0.95 } },
    );
    const res = await post({
      model: 'forge:small',
      messages: [{ role: 'user', content: 'score this' }],
      response_format: { type: 'json_schema', json_schema: { name: 'verdict', schema: VERDICT.jsonSchema } },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ model: LOCAL, forge: { cost_micros: 0 } });
  });
});
