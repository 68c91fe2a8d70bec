import { NatsModelClient } from '@forge/agent-kit';
import { TaskEnvelope } from '@forge/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok } from '../../test/gateway-fixtures.js';
import { type Harness, startHarness, testRoutingConfig, waitFor } from '../../test/harness.js';

/**
 * A router stopping with calls queued for admission: none of them is started as the running
 * call's slot frees; each is answered OVERLOADED (reason stopping: retryable, never started) at
 * once, and agent-kit's client asks again, the same call, which another replica answers. Real
 * routers, Postgres, NATS and fake LLM.
 */
let h: Harness;
let task: TaskEnvelope;

beforeAll(async () => {
  h = await startHarness({
    env: { FORGE_MAX_IN_FLIGHT: '1', FORGE_ADMISSION_QUEUE: '4' },
    config: await testRoutingConfig({
      routes: { 'stop.score': { tier: 'small' } },
      gateway: {
        timeouts: { firstTokenMs: 8_000, idleMs: 8_000, totalMs: 10_000 },
        retries: { maxRetries: 0, backoffBaseMs: 10, backoffMaxMs: 50, maxRetryAfterMs: 2000 },
        breaker: { failureThreshold: 50, windowMs: 60_000, cooldownMs: 60_000 },
        reservationTtlMs: 60_000,
      },
    }),
  });
  task = await h.task({ skill: 'stop.score' });
  await h.bus.publish(h.bus.subjects.taskRoute, TaskEnvelope, task, { msgId: `route:${task.id}` });
  await waitFor(async () => (await h.decisions.get(task.id)) !== null, 5_000, 'the routing decision');
});
afterAll(() => h?.close());

describe('admission at shutdown', () => {
  it('answers the queued calls OVERLOADED (stopping) at once and starts none of them; the running one finishes', async () => {
    h.fake.reset();
    h.fake.script({ text: 'ok', delayMs: 800, usage: { inputTokens: 10, outputTokens: 2 }, repeat: true });
    const call = (callId: number) =>
      h.call(task, { callId, messages: [{ role: 'user', content: 'hi' }], maxTokens: 20 });
    const running = call(0);
    await waitFor(() => h.router.admission.inFlight === 1, 5_000, 'the slot taken');
    const queued = [call(1), call(2)];
    await waitFor(() => h.router.admission.queued === 2, 5_000, 'two calls queued');
    const asked = Date.now();
    const stopping = h.router.stop();
    const refused = await Promise.all(queued);
    expect(Date.now() - asked).toBeLessThan(500);
    for (const reply of refused) {
      expect(reply.ok).toBe(false);
      expect(!reply.ok && reply.error).toMatchObject({ code: 'OVERLOADED', retryable: true });
      expect(!reply.ok && reply.error.message).toMatch(/stopping/);
    }
    expect(ok(await running).text).toBe('ok');
    await stopping;
    expect(h.fake.requests).toHaveLength(1);
  });

  it('a call queued on a stopping replica is asked again by agent-kit and answered by another: one provider request, one ledger row', async () => {
    // The harness's replica stopped in the test above: a fresh one takes the calls.
    const first = await h.addReplica();
    h.fake.reset();
    h.fake.script({ text: 'ok', delayMs: 800, usage: { inputTokens: 10, outputTokens: 2 }, repeat: true });
    const running = h.call(task, { callId: 100, messages: [{ role: 'user', content: 'hi' }], maxTokens: 20 });
    await waitFor(() => first.admission.inFlight === 1, 5_000, 'the slot taken');
    const client = new NatsModelClient(
      h.bus,
      { taskId: task.id, attempt: 7, skill: task.skill },
      { timeoutMs: 8_000 },
    );
    const queued = client.call({
      purpose: 'classify',
      messages: [{ role: 'user', content: 'queued' }],
      maxTokens: 20,
    });
    await waitFor(() => first.admission.queued === 1, 5_000, 'the call queued on the first replica');
    // The replica that takes over starts now, as in a rolling restart; then the first stops.
    const third = await h.addReplica();
    const stopping = first.stop();
    const answer = await queued;
    expect(answer.text).toBe('ok');
    expect(ok(await running).text).toBe('ok');
    await stopping;
    expect(third.admission.counts.admitted).toBe(1);
    expect(h.fake.requests).toHaveLength(2);
    await third.ledger.flush();
    const { rows } = await h.pool.query<{ call_id: number }>(
      `SELECT call_id FROM "${h.schema}".cost_ledger WHERE task_id = $1 AND attempt = 7`,
      [task.id],
    );
    expect(rows.map((r) => r.call_id)).toEqual([0]);
  });
});
