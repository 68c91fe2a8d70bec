import { Bus } from '@forge/bus';
import { type ModelCallReply, ModelCallRequest, ModelCallReply as ReplySchema } from '@forge/contracts';
import { type TestBrain, testBrain } from '@forge/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isInputRequired } from '../skills/input-required.js';
import { gatewayBudgetMs, NatsModelClient, overloadBackoffMs } from './nats-model-client.js';

const overloaded = (): ModelCallReply => ({
  v: 1,
  ok: false,
  error: { code: 'OVERLOADED', message: 'the router is at its concurrent-call limit', retryable: true },
});

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
      const asks = seen.filter((r) => r.taskId === req.taskId && r.callId === req.callId).length;
      if (prompt.startsWith('busy')) {
        // Overloaded for the first two asks of each call, then answered.
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
      if (prompt === 'hang') {
        // Overloaded once, then slower than any caller waits.
        if (asks === 1) return overloaded();
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        return success('too late');
      }
      if (prompt === 'just-in-time') {
        // Uses its whole budget (a call ending just inside the gateway's deadline), then answers.
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, (req.timeoutMs ?? 0) - 10)));
        return success('in time');
      }
      if (prompt === 'batch') {
        // Deferred to a batch on the first ask, overloaded on the next three polls, then answered.
        if (asks === 1) {
          return {
            v: 1,
            ok: false,
            error: { code: 'UNAVAILABLE', message: 'queued for a batch', retryable: true },
            deferred: {
              state: 'queued',
              model: 'anthropic:claude-haiku',
              dueBy: new Date(Date.now() + 5_000).toISOString(),
              pollAfterMs: 20,
            },
          };
        }
        if (asks <= 4) return overloaded();
        return success('from the batch');
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

  it('asks an overloaded gateway again after a growing, jittered pause, each ask with the time left', async () => {
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
    // Each ask carries how long the client still waits (a duration): the call timeout, then what
    // is left of it after the pauses.
    const [first, second, third] = asks.map((r) => r.timeoutMs ?? 0);
    expect(first).toBe(120_000 - 2_400);
    expect(second).toBeLessThanOrEqual(gatewayBudgetMs(120_000 - 125));
    expect(third).toBeLessThanOrEqual((second ?? 0) - 250);
    expect(third).toBeGreaterThan(110_000);
    expect([0, 1, 2, 3, 10].map((n) => overloadBackoffMs(n, () => 1))).toEqual([250, 500, 1000, 2000, 5000]);
    expect(overloadBackoffMs(0, () => 0)).toBe(125);
  });

  it("gives the gateway its wait less a margin, so an answer made just inside the gateway's budget arrives", async () => {
    expect([300, 5_000, 10_000, 120_000].map(gatewayBudgetMs)).toEqual([200, 4_900, 9_800, 117_600]);
    expect(gatewayBudgetMs(50)).toBe(1);
    const client = new NatsModelClient(
      bus,
      { taskId: crypto.randomUUID(), attempt: 1, skill: 'scout.score' },
      { timeoutMs: 600 },
    );
    const answer = await client.call({
      purpose: 'draft',
      messages: [{ role: 'user', content: 'just-in-time' }],
      maxTokens: 5,
    });
    expect(answer.text).toBe('in time');
    expect(seen.at(-1)?.timeoutMs).toBe(500);
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

  it('never waits past its call timeout: a retried ask gets only what is left of it', async () => {
    const client = new NatsModelClient(
      bus,
      { taskId: crypto.randomUUID(), attempt: 1, skill: 'scout.score' },
      { timeoutMs: 800 },
    );
    const started = Date.now();
    await expect(
      client.call({ purpose: 'draft', messages: [{ role: 'user', content: 'hang' }], maxTokens: 5 }),
    ).rejects.toMatchObject({ code: 'UNAVAILABLE', retryable: true });
    const took = Date.now() - started;
    // Asking again with a whole timeout would have waited 125–250 ms + 800 ms; what proves it is
    // the retry's own timeout below (a wall-clock bound would only measure the machine's load).
    expect(took).toBeGreaterThanOrEqual(790);
    const retry = seen.at(-1);
    expect(retry?.messages[0]?.content).toBe('hang');
    expect(retry?.timeoutMs).toBeLessThanOrEqual(800 - 125);
  });

  it('keeps polling a call waiting in a batch through OVERLOADED replies, past its call timeout', async () => {
    const batchTask = crypto.randomUUID();
    const client = new NatsModelClient(
      bus,
      { taskId: batchTask, attempt: 1, skill: 'scout.score' },
      { timeoutMs: 300 },
    );
    const waiting: string[] = [];
    const started = Date.now();
    const answer = await client.call(
      { purpose: 'draft', messages: [{ role: 'user', content: 'batch' }], maxTokens: 5 },
      { onWaiting: (line) => waiting.push(line) },
    );
    expect(answer.text).toBe('from the batch');
    expect(waiting).toEqual(['queued for a batch']);
    // The overloaded polls' pauses (≥ 125 + 250 + 500 ms) outlast the 300 ms call timeout.
    expect(Date.now() - started).toBeGreaterThan(300);
    expect(seen.filter((r) => r.taskId === batchTask)).toHaveLength(5);
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
