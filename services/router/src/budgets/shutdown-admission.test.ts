import { TaskEnvelope } from '@forge/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok } from '../../test/gateway-fixtures.js';
import { type Harness, startHarness, testRoutingConfig, waitFor } from '../../test/harness.js';

/**
 * A router stopping with calls queued for admission: none of them is started as the running
 * call's slot frees; each is answered UNAVAILABLE (retryable, never started) at once. Real router,
 * Postgres, NATS and fake LLM.
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
  it('answers the queued calls UNAVAILABLE at once and starts none of them; the running one finishes', async () => {
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
      expect(!reply.ok && reply.error).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
    }
    expect(ok(await running).text).toBe('ok');
    await stopping;
    expect(h.fake.requests).toHaveLength(1);
  });
});
