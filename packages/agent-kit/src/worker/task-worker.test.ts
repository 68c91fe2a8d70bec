import { setTimeout as sleep } from 'node:timers/promises';
import { type AgentEvent, ForgeError, type TaskEnvelope } from '@forge/contracts';
import { InMemoryTaskRepository, type TaskRecord } from '@forge/store';
import { createLogger } from '@forge/telemetry';
import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ModelCallScope, ModelClient } from '../models/model-client.js';
import { defineAgent } from '../skills/define-agent.js';
import { defineSkill } from '../skills/define-skill.js';
import { part } from '../skills/skill-parts.js';
import { type Delivery, TaskWorker } from './task-worker.js';

/** Log lines the worker wrote, parsed (the detail of a hidden failure must be here). */
const logged: Array<Record<string, unknown>> = [];
const logger = createLogger({
  name: 'worker-test',
  level: 'warn',
  destination: {
    write(chunk: string) {
      logged.push(JSON.parse(chunk) as Record<string, unknown>);
      return true;
    },
  } as unknown as NodeJS.WritableStream,
});

/** The error id a task's shown message ends with, and the log line that carries it. */
function loggedUnder(message: string | undefined): Record<string, unknown> | undefined {
  const id = /\(error id ([0-9a-f]{16})\)$/.exec(message ?? '')?.[1];
  return id ? logged.find((line) => line.errorId === id) : undefined;
}

function envelope(skill: string, input: unknown, extra: Partial<TaskEnvelope> = {}): TaskEnvelope {
  return {
    v: 1,
    id: crypto.randomUUID(),
    skill,
    input,
    origin: { kind: 'a2a', brain: 'unit', by: 'alice' },
    idempotencyKey: `k:${crypto.randomUUID()}`,
    contextId: 'ctx',
    createdAt: new Date().toISOString(),
    ...extra,
  };
}

let sequence = 0;
const delivery = (
  n = 1,
  maxDeliver = 3,
  signal = new AbortController().signal,
  streamSequence = ++sequence,
): Delivery => ({
  deliveryCount: n,
  maxDeliver,
  streamSequence,
  signal,
});

describe('TaskWorker', () => {
  let tasks: InMemoryTaskRepository;
  let published: TaskRecord[];
  let events: AgentEvent[];
  let scopes: ModelCallScope[];
  let gate: { release: () => void; wait: Promise<void> };
  let worker: TaskWorker;
  let modelCall: ModelClient['call'];

  beforeEach(() => {
    tasks = new InMemoryTaskRepository();
    published = [];
    events = [];
    scopes = [];
    let release = () => {};
    gate = { release: () => release(), wait: new Promise<void>((r) => (release = r)) };
    modelCall = async () => Promise.reject(new Error('no models here'));
    const agent = defineAgent({
      name: 'unit',
      description: 'unit test agent',
      skills: [
        defineSkill({
          id: 'double',
          description: 'doubles n',
          input: z.object({ n: z.number() }),
          output: z.object({ doubled: z.number() }),
          tier: 'tool',
          handler: async ({ n }, ctx) => {
            await ctx.progress('thinking');
            await ctx.emit('doubled', { n });
            return { doubled: n * 2 };
          },
        }),
        defineSkill({
          id: 'wait',
          description: 'waits for the gate, ignoring its signal',
          input: z.object({}),
          output: z.object({}),
          tier: 'tool',
          handler: async () => {
            await gate.wait;
            return {};
          },
        }),
        defineSkill({
          id: 'liar',
          description: 'returns the wrong shape',
          input: z.object({}),
          output: z.object({ ok: z.boolean() }),
          tier: 'tool',
          handler: async () => ({ ok: 'yes' }) as never,
        }),
        defineSkill({
          id: 'flaky',
          description: 'throws what it is told',
          input: z.object({ retryable: z.boolean() }),
          output: z.object({}),
          tier: 'tool',
          handler: async ({ retryable }) => {
            throw new ForgeError('PROVIDER_ERROR', 'upstream broke', { retryable });
          },
        }),
        defineSkill({
          id: 'ask',
          description: 'asks',
          input: z.object({}),
          output: z.object({}),
          tier: 'tool',
          handler: async (_input, ctx) => ctx.requireInput('which one?'),
        }),
        defineSkill({
          id: 'think',
          description: 'asks a model twice',
          input: z.object({}),
          output: z.object({}),
          tier: 'small',
          handler: async (_input, ctx) => {
            const request = { purpose: 'judge' as const, messages: [], maxTokens: 10 };
            await ctx.models.call(request);
            await ctx.models.call(request);
            return {};
          },
        }),
        defineSkill({
          id: 'badart',
          description: 'sends a media type its card does not list',
          input: z.object({}),
          output: z.object({}),
          tier: 'tool',
          handler: async (_input, ctx) => {
            await ctx.artifact({ parts: [part.file(new Uint8Array([1]), { mediaType: 'image/png' })] });
            return {};
          },
        }),
        defineSkill({
          id: 'notes',
          description: 'writes a text artifact before it answers',
          input: z.object({}),
          output: z.object({}),
          outputModes: ['application/json', 'text/plain'],
          tier: 'tool',
          handler: async (_input, ctx) => {
            await ctx.artifact({ parts: [part.text('first notes')] });
            return {};
          },
        }),
        defineSkill({
          id: 'noreply',
          description: 'declares a message answer and returns JSON',
          input: z.object({}),
          output: z.unknown(),
          answer: 'message',
          tier: 'tool',
          handler: async () => ({ not: 'a reply' }),
        }),
        defineSkill({
          id: 'waitfail',
          description: 'waits for the gate, then fails in a way worth retrying',
          input: z.object({}),
          output: z.object({}),
          tier: 'tool',
          handler: async () => {
            await gate.wait;
            throw new ForgeError('UNAVAILABLE', 'upstream away', { retryable: true });
          },
        }),
      ],
    });
    worker = new TaskWorker({
      agent,
      brain: 'unit',
      tasks,
      status: { publish: (r) => published.push(r) },
      events: { publish: async (e) => void events.push(e) },
      models: (scope) => {
        scopes.push(scope);
        return { call: (request, opts) => modelCall(request, opts) };
      },
      logger,
    });
  });

  const states = (id: string) => published.filter((r) => r.id === id).map((r) => `${r.state}#${r.seq}`);

  it('claims without waiting for the WAL flush and ends naming its claim, so a claim lost in a crash is redone', async () => {
    const changes: Array<{ to: string; durable?: boolean; claimSeq?: number }> = [];
    const transition = tasks.transition.bind(tasks);
    tasks.transition = (id, change) => {
      changes.push(change);
      return transition(id, change);
    };
    const task = envelope('unit.ask', {});
    await tasks.create(task);
    await worker.run(task, delivery());
    expect(changes).toEqual([
      expect.objectContaining({ to: 'working', durable: false }),
      expect.objectContaining({ to: 'input-required', claimSeq: 1 }),
    ]);
    expect(changes[1]?.durable).toBeUndefined();
  });
  it('redoes a claim a Postgres crash lost before the skill wrote its first artifact', async () => {
    // The non-durable claim "returns" but never reaches the store, as after a crash before the
    // WAL flush: the task is still submitted when the skill writes its artifact.
    const transition = tasks.transition.bind(tasks);
    tasks.transition = async (id, change) => {
      if (change.durable !== false) return transition(id, change);
      const current = (await tasks.get(id))!;
      return { ...current, state: 'working', seq: current.seq + 1, attempt: current.attempt + 1 };
    };
    const task = envelope('unit.notes', {});
    await tasks.create(task);
    await worker.run(task, delivery());
    const record = await tasks.get(task.id);
    expect(record).toMatchObject({ state: 'completed', attempt: 1 });
    expect(record?.a2a.artifacts).toEqual([
      expect.objectContaining({ parts: [expect.objectContaining({ text: 'first notes' })] }),
    ]);
  });

  it('creates a missing record, runs the skill, commits the output, announces each change in order', async () => {
    const e = envelope('unit.double', { n: 21 });
    await worker.run(e, delivery());
    const record = await tasks.get(e.id);
    expect(record).toMatchObject({ state: 'completed', output: { doubled: 42 }, attempt: 1 });
    expect(states(e.id)).toEqual(['working#1', 'working#2', 'completed#3']);
    expect(published[1]?.statusMessage).toBe('thinking');
    expect(events).toEqual([
      expect.objectContaining({ agent: 'unit', kind: 'doubled', taskId: e.id, data: { n: 21 } }),
    ]);
    expect(scopes).toEqual([{ taskId: e.id, attempt: 1, skill: 'unit.double' }]);
  });

  it('drops (acks) a task with no record whose key another task holds, its row or a follow-up message', async () => {
    // The caller retried first after a crash lost A's row: B holds the key.
    const b = envelope('unit.double', { n: 1 });
    await tasks.create(b);
    const before = await tasks.get(b.id);
    const a = { ...b, id: crypto.randomUUID() };
    await worker.run(a, delivery());
    await worker.run(a, delivery(2));
    expect(await tasks.get(a.id)).toBeNull();
    expect(await tasks.get(b.id)).toEqual(before);
    // The key names a follow-up message of B (same caller): a duplicate too, not a dead letter.
    const key = `k:${crypto.randomUUID()}`;
    await tasks.appendMessage(
      b.id,
      { messageId: 'm2', role: 'user', parts: [] },
      { idempotencyKey: key, owner: 'alice' },
    );
    const c = envelope('unit.double', { n: 2 }, { idempotencyKey: key });
    await worker.run(c, delivery());
    expect(await tasks.get(c.id)).toBeNull();
    expect(published.filter((r) => r.id === a.id || r.id === c.id || r.id === b.id)).toEqual([]);
  });

  it('fails the task naming the field when the input is bad, and acks', async () => {
    const e = envelope('unit.double', { n: 'two' });
    await worker.run(e, delivery());
    const record = await tasks.get(e.id);
    expect(record?.state).toBe('failed');
    expect(record?.error?.code).toBe('BAD_INPUT');
    expect(record?.error?.message).toContain('input.n');
  });

  it('skips a task that already ended, and a second message for a task another delivery holds', async () => {
    const e = envelope('unit.double', { n: 1 });
    await worker.run(e, delivery());
    const after = published.length;
    await worker.run(e, delivery(2));
    expect(published.length).toBe(after);

    const w = envelope('unit.wait', {});
    const running = worker.run(w, delivery());
    await until(() => published.some((r) => r.id === w.id && r.state === 'working'));
    await worker.run(w, delivery(1)); // a duplicate publish of the same task
    expect(states(w.id)).toEqual(['working#1']);
    gate.release();
    await running;
    expect((await tasks.get(w.id))?.state).toBe('completed');
  });

  it('commits canceled at once when the holder is asked, even if the handler ignores its signal', async () => {
    const e = envelope('unit.wait', {});
    const running = worker.run(e, delivery());
    await until(() => published.some((r) => r.id === e.id && r.state === 'working'));
    expect(worker.cancel({ v: 1, taskId: crypto.randomUUID(), by: 'bob' })).toBeNull();
    expect(worker.cancel({ v: 1, taskId: e.id, by: 'alice' })).toEqual({ v: 1, taskId: e.id, held: true });
    await running; // resolves (acks) without waiting for the handler
    expect(await tasks.get(e.id)).toMatchObject({ state: 'canceled', statusMessage: 'canceled by alice' });
    expect(worker.inFlight).toBe(0);
    gate.release();
  });

  it('fails a task whose deadline passes while it runs', async () => {
    const e = envelope('unit.wait', {}, { deadline: new Date(Date.now() + 80).toISOString() });
    await worker.run(e, delivery());
    expect((await tasks.get(e.id))?.error).toMatchObject({ code: 'DEADLINE_EXCEEDED' });
    gate.release();
  });

  it('ends in input-required with the reason', async () => {
    const e = envelope('unit.ask', {});
    await worker.run(e, delivery());
    expect(await tasks.get(e.id)).toMatchObject({ state: 'input-required', statusMessage: 'which one?' });
  });

  it('leaves a retryable failure working and rethrows it; on the last delivery fails, then rethrows', async () => {
    const e = envelope('unit.flaky', { retryable: true });
    await expect(worker.run(e, delivery(1, 2))).rejects.toThrow('upstream broke');
    expect((await tasks.get(e.id))?.state).toBe('working');
    await expect(worker.run(e, delivery(2, 2))).rejects.toThrow('upstream broke');
    const record = await tasks.get(e.id);
    expect(record).toMatchObject({ state: 'failed', attempt: 2, error: { code: 'PROVIDER_ERROR' } });
    expect(record?.error?.message).toMatch(
      /^gave up after 2 attempts: the model provider failed; try again later/,
    );
    expect(loggedUnder(record?.error?.message)?.err).toBe('upstream broke');
  });

  it('fails a non-retryable failure at once and rethrows it for the dead-letter queue', async () => {
    const e = envelope('unit.flaky', { retryable: false });
    await expect(worker.run(e, delivery(1, 5))).rejects.toThrow('upstream broke');
    // The caller sees the table's message and an id; the provider's own words stay in the log.
    const error = (await tasks.get(e.id))?.error;
    expect(error?.code).toBe('PROVIDER_ERROR');
    expect(error?.message).not.toContain('upstream broke');
    expect(loggedUnder(error?.message)?.err).toBe('upstream broke');
  });

  it('fails a task whose skill returns the wrong shape', async () => {
    const e = envelope('unit.liar', {});
    await expect(worker.run(e, delivery())).rejects.toThrow(/invalid output/);
    const message = (await tasks.get(e.id))?.error?.message;
    expect(message).toMatch(/^internal error \(error id/);
    expect(loggedUnder(message)?.err).toContain('output.ok');
  });

  it('fails a skill that sends what its card does not list, or answers other than it declares', async () => {
    const bad = envelope('unit.badart', {});
    await expect(worker.run(bad, delivery())).rejects.toThrow(/image\/png, which its outputModes/);
    expect(await tasks.get(bad.id)).toMatchObject({ state: 'failed', a2a: { artifacts: [] } });
    const none = envelope('unit.noreply', {});
    await expect(worker.run(none, delivery())).rejects.toThrow(/answers with a message but returned none/);
    expect((await tasks.get(none.id))?.state).toBe('failed');
  });

  it('releases a task on shutdown without writing its state', async () => {
    const stop = new AbortController();
    const e = envelope('unit.wait', {});
    const running = worker.run(e, delivery(1, 5, stop.signal));
    await until(() => worker.inFlight === 1 && published.length > 0);
    stop.abort(new ForgeError('CANCELED', 'consumer is stopping'));
    await expect(running).rejects.toMatchObject({ code: 'UNAVAILABLE', retryable: true });
    expect((await tasks.get(e.id))?.state).toBe('working');
    gate.release();
  });

  it('moves a submitted task to working in one statement, without reading it first', async () => {
    const e = envelope('unit.double', { n: 2 });
    await tasks.create(e);
    let reads = 0;
    const get = tasks.get.bind(tasks);
    tasks.get = async (id) => {
      reads++;
      return get(id);
    };
    await worker.run(e, delivery());
    expect(reads).toBe(0);
    expect(await get(e.id)).toMatchObject({ state: 'completed', attempt: 1 });
  });

  it('lets a redelivery of the message it still runs follow that run instead of acking early', async () => {
    const e = envelope('unit.waitfail', {});
    const first = worker.run(e, delivery(1, 5, undefined, 42));
    first.catch(() => undefined);
    await until(() => published.some((r) => r.id === e.id && r.state === 'working'));
    let settled = false;
    const again = worker.run(e, delivery(2, 5, undefined, 42));
    again.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    // A re-publish (another message) for the same task is dropped at once.
    await worker.run(e, delivery(1, 5, undefined, 43));
    expect(settled).toBe(false);
    gate.release();
    await expect(first).rejects.toThrow('upstream away');
    await expect(again).rejects.toThrow('upstream away');
    expect((await tasks.get(e.id))?.state).toBe('working');
    expect(states(e.id)).toEqual(['working#1']);
  });

  it('answers a cancel that arrives while a redelivery is still reading the task, and never runs it', async () => {
    const e = envelope('unit.double', { n: 3 });
    await tasks.create(e);
    // Its first holder died while working. The redelivery reads the record; meanwhile the edge
    // records a cancel intent and asks who holds the task: this delivery must answer.
    await tasks.transition(e.id, { to: 'working', newAttempt: true });
    const get = tasks.get.bind(tasks);
    const replies: unknown[] = [];
    tasks.get = async (id) => {
      const before = await get(id);
      await tasks.updateA2A(id, { metadata: { cancelRequested: { by: 'alice' } } });
      replies.push(worker.cancel({ v: 1, taskId: id, by: 'alice' }));
      return before;
    };
    await worker.run(e, delivery(2));
    expect(replies).toEqual([{ v: 1, taskId: e.id, held: true }]);
    expect(await get(e.id)).toMatchObject({ state: 'canceled', statusMessage: 'canceled by alice' });
    expect(events).toEqual([]);
    expect(scopes).toEqual([]);
  });

  it('stops a model call (and the calls after it) when its task is canceled', async () => {
    const signals: (AbortSignal | undefined)[] = [];
    let answer = () => {};
    modelCall = (_request, opts) =>
      new Promise((resolve, reject) => {
        signals.push(opts?.signal);
        answer = () => resolve({ ok: true } as never);
        opts?.signal?.addEventListener('abort', () => reject(opts.signal?.reason), { once: true });
      });
    const e = envelope('unit.think', {});
    const running = worker.run(e, delivery());
    await until(() => signals.length === 1);
    worker.cancel({ v: 1, taskId: e.id, by: 'alice' });
    await running;
    answer(); // the gateway answers late: the handler must not go on to its next call
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(signals).toHaveLength(1);
    expect(signals[0]?.aborted).toBe(true);
    expect((await tasks.get(e.id))?.state).toBe('canceled');
  });

  it('cancels instead of running when a cancel was requested before it started', async () => {
    const e = envelope('unit.double', { n: 1 });
    const { record } = await tasks.create(e);
    await tasks.updateA2A(record.id, { metadata: { cancelRequested: { by: 'alice' } } });
    await worker.run(e, delivery());
    expect((await tasks.get(e.id))?.state).toBe('canceled');
    expect(scopes).toEqual([]);
  });
});

async function until(check: () => boolean, timeoutMs = 2_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(5);
  }
}
