import { TaskEnvelope } from '@forge/contracts';
import OpenAI, { APIError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness, testRoutingConfig, waitFor } from '../../test/harness.js';

/**
 * Admission control on the real router, Postgres and NATS, against the fake LLM with a slow
 * model: a tiny limit (2 in flight, 4 queued) over both edges, calls through the real openai SDK
 * on /v1 and through NATS as agent-kit sends them. Every call ends answered or OVERLOADED (never
 * a 500), the queued ones that fit their deadlines are answered, the ledger has exactly the
 * answered calls, and the budgets count exactly their cost.
 */
let h: Harness;
let client: OpenAI;
let task: TaskEnvelope;
const KEY = 'fk_test_admit_0123456789';
const SLOW_MS = 300;
const USAGE = { inputTokens: 100, outputTokens: 10 };

beforeAll(async () => {
  h = await startHarness({
    apiKeys: { ops: KEY },
    env: { FORGE_MAX_IN_FLIGHT: '2', FORGE_ADMISSION_QUEUE: '4' },
    config: await testRoutingConfig({
      routes: { 'admit.score': { tier: 'small' } },
      principals: { ops: { defaultRoute: 'small' } },
      // Capped, so every call is admitted against the budget and its spend settled.
      budgets: {
        perAgent: { admit: { usd: 50, onExhausted: 'reject' }, api: { usd: 50, onExhausted: 'reject' } },
      },
      gateway: {
        timeouts: { firstTokenMs: 8_000, idleMs: 8_000, totalMs: 10_000 },
        retries: { maxRetries: 0, backoffBaseMs: 10, backoffMaxMs: 50, maxRetryAfterMs: 2000 },
        breaker: { failureThreshold: 50, windowMs: 60_000, cooldownMs: 60_000 },
        reservationTtlMs: 60_000,
      },
    }),
  });
  client = new OpenAI({ apiKey: KEY, baseURL: `${h.router.url}/v1`, maxRetries: 0, timeout: 10_000 });
  task = await h.task({ skill: 'admit.score' });
  await h.bus.publish(h.bus.subjects.taskRoute, TaskEnvelope, task, { msgId: `route:${task.id}` });
  await waitFor(async () => (await h.decisions.get(task.id)) !== null, 5_000, 'the routing decision');
});

afterAll(async () => {
  await h?.close();
});

beforeEach(() => {
  h.fake.reset();
  h.fake.script({ text: 'ok', delayMs: SLOW_MS, usage: USAGE, repeat: true });
});

type Ended =
  | { edge: 'http'; ok: true; id: string; cost: number }
  | { edge: 'nats'; ok: true; callId: number; cost: number }
  | {
      edge: 'http' | 'nats';
      ok: false;
      status: number | string;
      code: string;
      message: string;
      retryAfter?: string | null;
    };

let nextCallId = 10_000;

function viaHttp(headers?: Record<string, string>): Promise<Ended> {
  return client.chat.completions
    .create(
      {
        model: 'forge:small',
        messages: [{ role: 'user', content: 'Score: METRC audit due' }],
        max_tokens: 50,
      },
      headers ? { headers } : {},
    )
    .then(
      (c) => ({
        edge: 'http' as const,
        ok: true as const,
        id: c.id.replace(/^chatcmpl-/, ''),
        cost: (c as unknown as { forge: { cost_micros: number } }).forge.cost_micros,
      }),
      (error: unknown) => {
        if (!(error instanceof APIError)) throw error;
        return {
          edge: 'http' as const,
          ok: false as const,
          status: error.status ?? 0,
          code: String(error.code),
          message: error.message,
          retryAfter: error.headers?.get('retry-after') ?? null,
        };
      },
    );
}

async function viaNats(deadlineMs = 10_000): Promise<Ended> {
  const callId = nextCallId++;
  const reply = await h.call(
    task,
    {
      callId,
      messages: [{ role: 'user', content: 'Score: METRC audit due' }],
      maxTokens: 50,
      timeoutMs: deadlineMs,
    },
    deadlineMs + 2_000,
  );
  if (reply.ok) return { edge: 'nats', ok: true, callId, cost: reply.costMicros };
  return { edge: 'nats', ok: false, status: 'reply', code: reply.error.code, message: reply.error.message };
}

/** The fake saw at most `limit` requests at once: each takes SLOW_MS, so starts `limit` apart are SLOW_MS apart. */
function maxConcurrentAtProvider(): number {
  const starts = h.fake.requests.map((r) => r.receivedAt).sort((a, b) => a - b);
  let peak = 0;
  for (let i = 0; i < starts.length; i++) {
    const open = starts.filter((s) => s >= starts[i]! && s < starts[i]! + SLOW_MS - 20).length;
    peak = Math.max(peak, open);
  }
  return peak;
}

async function ledgerRows(): Promise<
  Array<{ task_id: string; call_id: number; outcome: string; cost_micros: string }>
> {
  await h.flush();
  const { rows } = await h.pool.query<{
    task_id: string;
    call_id: number;
    outcome: string;
    cost_micros: string;
  }>(`SELECT task_id, call_id, outcome, cost_micros::text AS cost_micros FROM "${h.schema}".cost_ledger`);
  return rows;
}

async function settledUsage(scope: string): Promise<{ spentMicros: number; reservedMicros: number }> {
  const period = new Date().toISOString().slice(0, 7);
  await waitFor(
    async () => {
      await h.flush();
      return (await h.budgets.usage(period, [scope])).get(scope)?.reservedMicros === 0;
    },
    8_000,
    `the holds of ${scope} to be settled or released`,
  );
  return (await h.budgets.usage(period, [scope])).get(scope) ?? { spentMicros: 0, reservedMicros: 0 };
}

describe('admission control: 2 in flight, 4 queued, over /v1 and NATS', () => {
  it('answers or refuses as OVERLOADED every one of 24 concurrent calls; the ledger and budgets hold exactly the answered ones', async () => {
    const before = { ...h.router.admission.counts, refused: { ...h.router.admission.counts.refused } };
    const ended = await Promise.all([
      ...Array.from({ length: 12 }, () => viaHttp()),
      ...Array.from({ length: 12 }, () => viaNats()),
    ]);
    const answered = ended.filter((e) => e.ok);
    const refused = ended.filter((e): e is Extract<Ended, { ok: false }> => !e.ok);
    // Every call ended one of the two ways; no 500, no other error.
    expect(refused.filter((e) => e.code !== 'overloaded' && e.code !== 'OVERLOADED')).toEqual([]);
    expect(answered.length + refused.length).toBe(24);
    // 2 running + 4 queued got in at the burst; all of those fit their 10 s deadlines.
    expect(answered.length).toBeGreaterThanOrEqual(6);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    // Inside the mesh (NATS) the reply says it all; an external (/v1) caller learns the reason
    // class only, never the counts behind it.
    for (const r of refused.filter((e) => e.edge === 'nats'))
      expect(r.message).toMatch(/router overloaded \(admission queue full\)/);
    for (const r of refused.filter((e) => e.edge === 'http')) {
      expect(r.message).toMatch(/the router is at its concurrent-call limit; .*\(error id [0-9a-f]{16}\)$/);
      expect(r.message).not.toMatch(/calls running|waiting/);
    }
    for (const r of refused.filter((e) => e.edge === 'http')) {
      expect(r.status).toBe(503);
      expect(Number(r.retryAfter)).toBeGreaterThanOrEqual(1);
    }
    const counts = h.router.admission.counts;
    expect(counts.admitted - before.admitted).toBe(answered.length);
    expect(counts.refused.queue_full - before.refused.queue_full).toBe(refused.length);
    // The provider never saw more than the limit at once, and saw exactly the answered calls.
    expect(h.fake.requests).toHaveLength(answered.length);
    expect(maxConcurrentAtProvider()).toBeLessThanOrEqual(2);
    expect([h.router.admission.inFlight, h.router.admission.queued]).toEqual([0, 0]);

    // The ledger: one paid row per answered call, none for a refused one.
    const rows = await ledgerRows();
    const httpIds = new Set(answered.flatMap((e) => (e.edge === 'http' && e.ok ? [e.id] : [])));
    const natsIds = new Set(answered.flatMap((e) => (e.edge === 'nats' && e.ok ? [e.callId] : [])));
    const apiRows = rows.filter((r) => r.task_id !== task.id);
    const taskRows = rows.filter((r) => r.task_id === task.id);
    expect(apiRows.map((r) => r.task_id).sort()).toEqual([...httpIds].sort());
    expect(taskRows.map((r) => r.call_id).sort()).toEqual([...natsIds].sort());
    expect(rows.every((r) => r.outcome === 'ok' && Number(r.cost_micros) > 0)).toBe(true);
    // The budgets: spend is exactly the answered calls' cost, nothing left held.
    const cost = (edge: 'http' | 'nats') =>
      answered.reduce((sum, e) => sum + (e.edge === edge && e.ok ? e.cost : 0), 0);
    expect(cost('http') + cost('nats')).toBe(rows.reduce((sum, r) => sum + Number(r.cost_micros), 0));
    expect(await settledUsage('agent:api')).toEqual({ spentMicros: cost('http'), reservedMicros: 0 });
    expect(await settledUsage('agent:admit')).toEqual({ spentMicros: cost('nats'), reservedMicros: 0 });
  });

  it('a queued call whose deadline comes first is refused as OVERLOADED, never started; one that fits is answered', async () => {
    const spentBefore = await settledUsage('agent:api');
    const rowsBefore = (await ledgerRows()).length;
    h.router.stats.reset();
    // Two slow calls (1.2 s each) take both slots.
    h.fake.reset();
    h.fake.script({ text: 'ok', delayMs: 1_200, usage: USAGE, repeat: true });
    const running = [viaHttp(), viaNats()];
    await waitFor(() => h.router.admission.inFlight === 2, 5_000, 'both slots taken');
    // Queued behind them: a /v1 call that says (as the openai SDK does) it waits 1 s, a NATS call
    // with a 1 s deadline, and one of each with time to spare.
    const short = [viaHttp({ 'x-stainless-timeout': '1' }), viaNats(1_000)];
    const spare = [viaHttp(), viaNats()];
    const [shortHttp, shortNats] = await Promise.all(short);
    expect(shortHttp).toMatchObject({ ok: false, status: 503, code: 'overloaded' });
    expect(shortNats).toMatchObject({ ok: false, code: 'OVERLOADED' });
    expect(shortNats?.ok === false && shortNats.message).toMatch(/could not finish before its deadline/);
    expect(shortHttp?.ok === false && shortHttp.message).toMatch(
      /the call's deadline would pass before a slot frees; .*\(error id [0-9a-f]{16}\)$/,
    );
    const done = await Promise.all([...running, ...spare]);
    expect(done.every((e) => e.ok)).toBe(true);
    // The gateway's overhead is its own work: the spare calls' 1.2 s in the queue is not in it.
    expect(h.router.stats.count).toBe(4);
    // (Counting from arrival it would be at least the 1.2 s in the queue.)
    expect(h.router.stats.percentile(100)).toBeLessThan(1_150);
    // Four calls reached the provider and the ledger; the two refused never did.
    expect(h.fake.requests).toHaveLength(4);
    expect((await ledgerRows()).length - rowsBefore).toBe(4);
    const httpCost = done.reduce((sum, e) => sum + (e.edge === 'http' && e.ok ? e.cost : 0), 0);
    expect((await settledUsage('agent:api')).spentMicros - spentBefore.spentMicros).toBe(httpCost);
  });

  it('takes the timeout header openai-node really sends (Infinity, many digits, junk) as no caller deadline', async () => {
    for (const value of ['Infinity', '1234567890123', 'soon']) {
      const res = await fetch(`${h.router.url}/v1/chat/completions`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${KEY}`,
          'x-stainless-timeout': value,
        },
        body: JSON.stringify({ model: 'forge:small', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect({ value, status: res.status }).toEqual({ value, status: 200 });
      await res.json();
    }
  });

  it('a call let in late is cut at its caller’s deadline, not run a whole gateway timeout after it', async () => {
    h.fake.reset();
    // Two calls take both slots for 1.2 s; the late call's provider would take 3 s.
    h.fake.script(
      { text: 'ok', delayMs: 1_200, usage: USAGE },
      { text: 'ok', delayMs: 1_200, usage: USAGE },
      { text: 'late', delayMs: 3_000, usage: USAGE, repeat: true },
    );
    const running = [viaHttp(), viaNats()];
    await waitFor(() => h.router.admission.inFlight === 2, 5_000, 'both slots taken');
    const sent = Date.now();
    const late = await viaNats(3_000);
    const took = Date.now() - sent;
    // It was let in (the provider saw it), and answered by its 3 s deadline: the caller is still
    // there to take the answer, and nothing runs on after it stopped waiting.
    expect(h.fake.requests).toHaveLength(3);
    expect(late).toMatchObject({ ok: false });
    expect(late.ok === false && late.code).not.toBe('OVERLOADED');
    expect(took).toBeLessThan(4_000); // run on for its 3 s after the 1.2 s queue it would be ≥ 4.2 s
    expect((await Promise.all(running)).every((e) => e.ok)).toBe(true);
  });
});
