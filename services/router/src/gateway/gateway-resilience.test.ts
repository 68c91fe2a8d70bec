import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { gatewayTestRoutes, ok, VERDICT } from '../../test/gateway-fixtures.js';
import { type Harness, startHarness, testRoutingConfig } from '../../test/harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ config: await testRoutingConfig(gatewayTestRoutes()) });
});

afterAll(async () => {
  await h?.close();
});

beforeEach(() => {
  h.fake.reset();
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

  it('keeps the ledger row of an attempt whose provider error is longer than the row’s reason', async () => {
    const task = await h.task({ skill: 'scout.score' });
    const huge = `invalid request: ${'the prompt is malformed; '.repeat(300)}`;
    h.fake.script(
      {
        match: { model: 'claude-haiku-5.5' },
        status: 400,
        body: { type: 'error', error: { type: 'invalid_request_error', message: huge } },
      },
      { match: { model: 'gpt-6-luna' }, text: 'relevant', usage: { inputTokens: 50, outputTokens: 2 } },
    );
    const reply = ok(await h.call(task, {}));
    expect(reply.model).toBe('openai:gpt-6-luna');
    await h.flush();
    const rows = await h.ledger.forTask(task.id);
    expect(rows.map((r) => [r.model, r.outcome])).toEqual([
      ['anthropic:claude-haiku-5.5', 'client'],
      ['openai:gpt-6-luna', 'ok'],
    ]);
    expect(rows[0]!.reason!.length).toBeLessThanOrEqual(2000);
    expect(rows[0]!.reason).toMatch(/^.*invalid request: the prompt is malformed/);
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
      h.router.stats.reset();
      const started = Date.now();
      const reply = ok(await h.call(task, {}));
      const elapsed = Date.now() - started;
      expect(reply.text).toBe('third time');
      expect(elapsed).toBeGreaterThanOrEqual(300);
      expect(h.fake.requests).toHaveLength(3);
      // The waits were the provider's: the gateway's own time for the call leaves out the 300 ms
      // retry-after it waited (whatever the machine's load, so no absolute bound here).
      expect(h.router.stats.count).toBe(1);
      expect(h.router.stats.percentile(100)!).toBeLessThanOrEqual(elapsed - 300);
    } finally {
      await h.writeConfig(await testRoutingConfig(gatewayTestRoutes()));
      await h.router.reload();
    }
  });

  it('does not wait out a retry-after beyond maxRetryAfterMs: the model is dropped for this call', async () => {
    await h.writeConfig(
      await testRoutingConfig({
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
      }),
    );
    expect(await h.router.reload()).toBe(true);
    try {
      const task = await h.task({ skill: 'scout.score' });
      h.fake.script({ status: 429, retryAfterSeconds: 30 }, { text: 'never asked' });
      const started = Date.now();
      const reply = await h.call(task, {});
      expect(Date.now() - started).toBeLessThan(1_500);
      expect(reply).toMatchObject({ ok: false, error: { code: 'PROVIDER_ERROR', retryable: true } });
      expect(!reply.ok && reply.error.message).toMatch(/retry-after 30000 ms is beyond 2000 ms/);
      expect(h.fake.requests).toHaveLength(1);
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
