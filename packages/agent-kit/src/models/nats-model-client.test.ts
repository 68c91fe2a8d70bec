import { Bus } from '@forge/bus';
import { type ModelCallReply, ModelCallRequest, ModelCallReply as ReplySchema } from '@forge/contracts';
import { type TestBrain, testBrain } from '@forge/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isInputRequired } from '../skills/input-required.js';
import { NatsModelClient, overloadBackoffMs } from './nats-model-client.js';

const success = (text: string): ModelCallReply => ({
  v: 1,
  ok: true,
  text,
  tier: 'small',
  model: 'offline:small',
  offline: true,
  usage: {
    inputTokens: 1,
    outputTokens: 1,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    cacheWrite1hTokens: 0,
    reasoningTokens: 0,
  },
  costMicros: 0,
  shadowCostMicros: 3,
  notes: [],
});

describe('NatsModelClient (real NATS, a stand-in gateway)', () => {
  let brain: TestBrain;
  let bus: Bus;
  const seen: ModelCallRequest[] = [];

  beforeAll(async () => {
    brain = await testBrain('kitmodel');
    bus = await Bus.connect({ servers: brain.natsUrl, name: 'kit-model-test', brain: brain.name });
    bus.serve(bus.subjects.modelCall, ModelCallRequest, ReplySchema, async (req): Promise<ModelCallReply> => {
      seen.push(req);
      const prompt = req.messages[0]?.content ?? '';
      if (prompt === 'refuse') {
        return {
          v: 1,
          ok: false,
          error: { code: 'BUDGET_EXHAUSTED', message: 'no budget left', retryable: false },
        };
      }
      if (prompt.startsWith('busy')) {
        // Overloaded for the first two asks of each call, then answered.
        const asks = seen.filter((r) => r.taskId === req.taskId && r.callId === req.callId).length;
        if (asks <= 2) {
          return {
            v: 1,
            ok: false,
            error: {
              code: 'OVERLOADED',
              message: 'router overloaded (admission queue full)',
              retryable: true,
            },
          };
        }
      }
      if (prompt === 'weird')
        return { v: 1, ok: false, error: { code: 'E_VENDOR_42', message: 'odd', retryable: true } };
      if (prompt === 'judge') {
        return {
          v: 1,
          ok: false,
          error: { code: 'INPUT_REQUIRED', message: 'offline', retryable: false },
          inputRequired: 'a person must judge this',
        };
      }
      return success(`echo: ${prompt}`);
    });
  });

  afterAll(async () => {
    await bus?.drain();
    await brain?.cleanup();
  });

  const taskId = crypto.randomUUID();

  it('sends the task, attempt and a call number per call, and returns the answer', async () => {
    const client = new NatsModelClient(bus, { taskId, attempt: 2, skill: 'scout.score' });
    const ask = (content: string) =>
      client.call({ purpose: 'classify', messages: [{ role: 'user', content }], maxTokens: 50 });
    expect((await ask('one')).text).toBe('echo: one');
    expect((await ask('two')).text).toBe('echo: two');
    expect(seen.slice(-2).map((r) => [r.taskId, r.attempt, r.callId, r.skill])).toEqual([
      [taskId, 2, 0, 'scout.score'],
      [taskId, 2, 1, 'scout.score'],
    ]);
  });

  it('turns a failure reply into a ForgeError with its code, and inputRequired into the signal', async () => {
    const client = new NatsModelClient(bus, { taskId, attempt: 1, skill: 'scout.score' });
    const ask = (content: string) =>
      client.call({ purpose: 'judge', messages: [{ role: 'user', content }], maxTokens: 50 });
    await expect(ask('refuse')).rejects.toMatchObject({ code: 'BUDGET_EXHAUSTED', retryable: false });
    await expect(ask('weird')).rejects.toMatchObject({ code: 'PROVIDER_ERROR', retryable: true });
    const judged = await ask('judge').catch((e: unknown) => e);
    expect(isInputRequired(judged)).toBe(true);
    expect((judged as { reason: string }).reason).toBe('a person must judge this');
  });

  it('asks an overloaded gateway again after a growing, jittered pause, with its deadline on every ask', async () => {
    const client = new NatsModelClient(bus, {
      taskId: crypto.randomUUID(),
      attempt: 1,
      skill: 'scout.score',
    });
    const started = Date.now();
    const answer = await client.call({
      purpose: 'draft',
      messages: [{ role: 'user', content: 'busy' }],
      maxTokens: 5,
    });
    expect(answer.text).toBe('echo: busy');
    const asks = seen.slice(-3);
    expect(asks.map((r) => r.callId)).toEqual([0, 0, 0]);
    // Pauses of 125–250 ms then 250–500 ms.
    expect(Date.now() - started).toBeGreaterThanOrEqual(375);
    for (const ask of asks) {
      const left = Date.parse(ask.deadline ?? '') - Date.now();
      expect(left).toBeGreaterThan(110_000);
      expect(left).toBeLessThanOrEqual(120_000);
    }
    expect([0, 1, 2, 3, 10].map((n) => overloadBackoffMs(n, () => 1))).toEqual([250, 500, 1000, 2000, 5000]);
    expect(overloadBackoffMs(0, () => 0)).toBe(125);
  });

  it('gives up on an overloaded gateway when its call timeout would pass, with the retryable OVERLOADED', async () => {
    const client = new NatsModelClient(
      bus,
      { taskId: crypto.randomUUID(), attempt: 1, skill: 'scout.score' },
      { timeoutMs: 300 },
    );
    await expect(
      client.call({ purpose: 'draft', messages: [{ role: 'user', content: 'busy' }], maxTokens: 5 }),
    ).rejects.toMatchObject({ code: 'OVERLOADED', retryable: true });
  });

  it('stops waiting when its signal aborts, and is UNAVAILABLE when no gateway answers', async () => {
    const client = new NatsModelClient(bus, { taskId, attempt: 1, skill: 'scout.score' });
    const aborted = new AbortController();
    aborted.abort(new Error('canceled'));
    await expect(
      client.call(
        { purpose: 'draft', messages: [{ role: 'user', content: 'x' }], maxTokens: 5 },
        { signal: aborted.signal },
      ),
    ).rejects.toThrow('canceled');
    const other = await Bus.connect({
      servers: brain.natsUrl,
      name: 'kit-model-test-2',
      brain: `${brain.name}x`,
    });
    try {
      const lonely = new NatsModelClient(
        other,
        { taskId, attempt: 1, skill: 'scout.score' },
        { timeoutMs: 300 },
      );
      await expect(
        lonely.call({ purpose: 'draft', messages: [{ role: 'user', content: 'x' }], maxTokens: 5 }),
      ).rejects.toMatchObject({ code: 'UNAVAILABLE', retryable: true });
    } finally {
      await other.drain();
    }
  });
});
