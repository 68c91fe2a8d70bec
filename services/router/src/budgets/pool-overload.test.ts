import { isForgeError, TaskEnvelope } from '@forge/contracts';
import OpenAI, { APIError } from 'openai';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness, testRoutingConfig, waitFor } from '../../test/harness.js';

/**
 * A router whose one Postgres connection is stuck (a lock the test holds) while calls need the
 * database: a call that cannot get a connection within the pool's wait is answered OVERLOADED
 * with the reason, on /v1 (503, Retry-After, OpenAI-style body) and on NATS (a retryable
 * OVERLOADED reply), never a bare 503 or a 500. Real router, Postgres, NATS and openai SDK.
 */
let h: Harness;
let task: TaskEnvelope;
let fresh: TaskEnvelope;
const KEYS = { first: 'fk_test_pool_first_0123456789', second: 'fk_test_pool_second_0123456789' };

beforeAll(async () => {
  h = await startHarness({
    apiKeys: KEYS,
    env: { FORGE_PG_POOL_MAX: '1', FORGE_PG_POOL_WAIT_MS: '2000' },
    config: await testRoutingConfig({
      routes: { 'pool.score': { tier: 'small' }, 'fresh.score': { tier: 'small' } },
      principals: {
        first: { defaultRoute: 'small', budget: { usd: 50, onExhausted: 'reject' } },
        second: { defaultRoute: 'small', budget: { usd: 50, onExhausted: 'reject' } },
      },
      // Capped per principal and agent: each payer needs its own budget lease from Postgres.
      budgets: {
        perAgent: {
          pool: { usd: 50, onExhausted: 'reject' },
          fresh: { usd: 50, onExhausted: 'reject' },
          api: { usd: 50, onExhausted: 'reject' },
        },
      },
      gateway: {
        timeouts: { firstTokenMs: 8_000, idleMs: 8_000, totalMs: 10_000 },
        retries: { maxRetries: 0, backoffBaseMs: 10, backoffMaxMs: 50, maxRetryAfterMs: 2000 },
        breaker: { failureThreshold: 50, windowMs: 60_000, cooldownMs: 60_000 },
        reservationTtlMs: 60_000,
      },
    }),
  });
  task = await h.task({ skill: 'pool.score' });
  // A task of another agent: its first call needs a budget lease of its own from Postgres.
  fresh = await h.task({ skill: 'fresh.score' });
  for (const t of [task, fresh]) {
    await h.bus.publish(h.bus.subjects.taskRoute, TaskEnvelope, t, { msgId: `route:${t.id}` });
    await waitFor(async () => (await h.decisions.get(t.id)) !== null, 5_000, 'the routing decision');
  }
  // Warm the NATS path's routing lookup, so during the lock only budget admission needs Postgres.
  h.fake.script({ text: 'ok', usage: { inputTokens: 10, outputTokens: 2 }, repeat: true });
  expect((await h.call(task, { callId: 900_000 })).ok).toBe(true);
});

afterAll(async () => {
  await h?.close();
});

function client(key: string): OpenAI {
  return new OpenAI({ apiKey: key, baseURL: `${h.router.url}/v1`, maxRetries: 0, timeout: 10_000 });
}

describe('a Postgres pool that stays full', () => {
  it('answers OVERLOADED with its reason on /v1 and NATS, and the same calls are answered once it frees', async () => {
    // Whatever statement of the router next touches budget_usage (a lease, a settlement) waits on
    // this lock while holding the router's only connection.
    const locker: pg.PoolClient = await h.pool.connect();
    let unlocked = false;
    const unlock = async () => {
      if (unlocked) return;
      unlocked = true;
      await locker.query('ROLLBACK');
      locker.release();
    };
    const ask = (key: string) =>
      client(key)
        .chat.completions.create({
          model: 'forge:small',
          messages: [{ role: 'user', content: 'hi' }],
          max_tokens: 20,
        })
        .then(
          (c) => c as OpenAI.ChatCompletion | APIError,
          (error: unknown) => {
            if (error instanceof APIError) return error;
            throw error;
          },
        );
    const natsCall = { callId: 1, messages: [{ role: 'user' as const, content: 'third' }] };
    // A call whose deadline comes before the pool's 2 s wait stops waiting at its deadline.
    const shortNats = () => h.call(fresh, { ...natsCall, timeoutMs: 700 });
    try {
      await locker.query('BEGIN');
      await locker.query(`LOCK TABLE "${h.schema}".budget_usage IN ACCESS EXCLUSIVE MODE`);
      const blocker = ask(KEYS.first);
      await waitFor(
        async () => {
          const { rows } = await h.pool.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND relation = '"${h.schema}".budget_usage'::regclass`,
          );
          return (rows[0]?.n ?? 0) > 0;
        },
        5_000,
        'the router to wait on the lock',
      );
      const started = Date.now();
      const [viaHttp, viaNats] = await Promise.all([
        ask(KEYS.second),
        shortNats().then(
          (reply) => reply,
          (error: unknown) => ({ error, after: Date.now() - started }),
        ),
      ]);
      expect(viaHttp).toBeInstanceOf(APIError);
      const api = viaHttp as APIError;
      expect(api.status).toBe(503);
      expect(api.code).toBe('overloaded');
      expect(api.type).toBe('service_unavailable');
      expect(api.headers?.get('retry-after')).toBe('1');
      // The caller learns the reason class; which component and how long stay in the log line.
      expect(api.message).toMatch(
        /the database is busy; try again after the Retry-After delay \(error id [0-9a-f]{16}\)$/,
      );
      // Met inside the call (part of it may have run): an OVERLOADED error reply, so the caller
      // retries the attempt as a whole rather than this call number.
      const { error: natsError, after } = viaNats as { error: Error; after: number };
      expect(isForgeError(natsError, 'OVERLOADED')).toBe(true);
      expect(natsError).toMatchObject({ retryable: true });
      // It waited for its agent's budget lease, placed for every call that needs it: the call gave
      // up at its own deadline, the placement went on.
      expect(natsError.message).toMatch(
        /every database connection stayed busy until the call's deadline|the database work this call shares with others did not end before its deadline/,
      );
      expect(after).toBeLessThan(1_900);
      await unlock();
      // The call that came first was answered or refused the same way; never anything else.
      const first = await blocker;
      if (first instanceof APIError) expect([first.status, first.code]).toEqual([503, 'overloaded']);
      else expect(first.choices[0]?.message.content).toBe('ok');
      // Asked again once the pool frees, both are answered; the failed NATS call is not answered
      // from memory.
      const again = await ask(KEYS.second);
      expect(again).not.toBeInstanceOf(APIError);
      expect((await h.call(fresh, natsCall)).ok).toBe(true);
    } finally {
      await unlock();
    }
  });
});
