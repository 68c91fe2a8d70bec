import type { ModelCallReply } from '@forge/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok } from '../../test/gateway-fixtures.js';
import { type Harness, startHarness, testRoutingConfig, waitFor } from '../../test/harness.js';

/**
 * A call waiting in a vendor batch is paid for: its caller's polls must reach it even while the
 * router is at its concurrent-call limit. Real router (one slot, no queue), Postgres, NATS and the
 * fake LLM's batch API.
 */
let h: Harness;
const question = [{ role: 'user' as const, content: 'Distil these 50 observations into three lessons.' }];

beforeAll(async () => {
  h = await startHarness({
    env: { FORGE_MAX_IN_FLIGHT: '1', FORGE_ADMISSION_QUEUE: '0' },
    config: await testRoutingConfig({
      tiers: {
        small: ['anthropic:claude-haiku-5.5'],
        mid: ['openai:gpt-6-sol'],
        frontier: ['anthropic:claude-opus-5.5'],
      },
      routes: {
        'diary.synthesize': { tier: 'frontier', deferrable: { maxWait: '1h' } },
        'diary.live': { tier: 'small' },
      },
      gateway: {
        timeouts: { firstTokenMs: 5000, idleMs: 5000, totalMs: 8000 },
        retries: { maxRetries: 0, backoffBaseMs: 10, backoffMaxMs: 50, maxRetryAfterMs: 2000 },
        breaker: { failureThreshold: 50, windowMs: 60_000, cooldownMs: 60_000 },
        reservationTtlMs: 60_000,
        batch: { collectMs: 50, pollMs: 50, clientPollMs: 50, maxWait: '1h', fallbackMarginMs: 1000 },
      },
    }),
  });
});
afterAll(() => h?.close());

describe('a deferred call’s polls and admission', () => {
  it('a poll for a call waiting in a batch takes no slot: answered while a new call is OVERLOADED', async () => {
    const batched = await h.task({ skill: 'diary.synthesize', tierHint: 'frontier' });
    const live = await h.task({ skill: 'diary.live' });
    h.fake.setBatchDelay(Number.POSITIVE_INFINITY);
    const poll = (): Promise<ModelCallReply> =>
      h.call(batched, {
        callId: 0,
        deferrable: true,
        purpose: 'summarize',
        messages: question,
        maxTokens: 300,
      });
    const first = await poll();
    expect(!first.ok && first.deferred).toMatchObject({ model: 'anthropic:claude-opus-5.5' });
    await waitFor(() => h.fake.batches.length === 1, 10_000, 'the batch to be submitted');

    // A slow live call takes the only slot; with no queue, a new call is refused at once.
    h.fake.script({ text: 'slow', delayMs: 1_500, usage: { inputTokens: 10, outputTokens: 1 } });
    const running = h.call(live, { callId: 0, purpose: 'draft', messages: question, maxTokens: 50 });
    await waitFor(() => h.router.admission.inFlight === 1, 5_000, 'the slot taken');
    const refused = await h.call(live, { callId: 1, purpose: 'draft', messages: question, maxTokens: 50 });
    expect(!refused.ok && refused.error.code).toBe('OVERLOADED');

    // The batched call's poll is one read by its key: it still says where the call stands.
    const polled = await poll();
    expect(!polled.ok && polled.deferred).toMatchObject({
      state: 'submitted',
      model: 'anthropic:claude-opus-5.5',
    });
    expect(h.router.admission.inFlight).toBe(1);
    ok(await running);

    // And once the batch is done, the answer comes back the same way.
    h.fake.script({ text: 'three lessons', usage: { inputTokens: 3_400, outputTokens: 600 } });
    h.fake.completeBatches();
    let answered: ModelCallReply | undefined;
    await waitFor(
      async () => {
        answered = await poll();
        return answered.ok;
      },
      10_000,
      'the batch answer',
    );
    expect(ok(answered!).text).toBe('three lessons');
  });
});
