import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type SendMessageRequest, type Task, TaskState } from '@a2a-js/sdk';
import { ServerCallContext } from '@a2a-js/sdk/server';
import { InMemoryTaskRepository } from '@forge/store';
import { createLogger } from '@forge/telemetry';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LocalStatus } from '../ports/local-status.js';
import { statusEventOf } from '../ports/ports.js';
import { defineAgent } from '../skills/define-agent.js';
import { defineSkill } from '../skills/define-skill.js';
import { skillMessage } from '../skills/skill-message.js';
import { ForgeUser } from './caller.js';
import { a2aIdempotencyKey } from './edge-submit.js';
import { ForgeRequestHandler } from './request-handler.js';

const logger = createLogger({ name: 'edge-test', level: 'silent' });

const agent = defineAgent({
  name: 'unit',
  description: 'unit test agent',
  skills: [
    defineSkill({
      id: 'echo',
      description: 'echoes',
      input: z.object({ text: z.string() }),
      output: z.object({ echo: z.string() }),
      tier: 'tool',
      handler: async ({ text }) => ({ echo: text }),
    }),
  ],
});

/** The edge over in-memory parts: nothing runs tasks, so only tasks that already ended answer. */
function edge(tasks: InMemoryTaskRepository, closing: AbortSignal) {
  return new ForgeRequestHandler({
    agent,
    brain: 'unit',
    card: () => {
      throw new Error('no card in this test');
    },
    tasks,
    status: { subscribe: async () => ({ unsubscribe: () => undefined }) },
    publisher: { publish: () => undefined },
    dispatcher: { dispatch: async () => undefined },
    canceller: { request: async () => null },
    logger,
    blockingWaitMs: 60_000,
    quietMs: 1_000,
    cancelWaitMs: 1_000,
    closing,
  });
}

/** A task of alice's that already completed, sent by the message `messageId`. */
async function completedTask(tasks: InMemoryTaskRepository, messageId: string): Promise<string> {
  const id = crypto.randomUUID();
  await tasks.create({
    v: 1,
    id,
    skill: 'unit.echo',
    input: { text: 'hi' },
    origin: { kind: 'a2a', brain: 'unit', by: 'alice' },
    idempotencyKey: a2aIdempotencyKey('alice', messageId),
    contextId: 'ctx',
    createdAt: new Date().toISOString(),
  });
  await tasks.transition(id, { to: 'working', newAttempt: true });
  await tasks.transition(id, { to: 'completed', output: { echo: 'hi' } });
  return id;
}

function heapAfterGc(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/**
 * The edge wired to an in-process worker stand-in: each dispatched task is moved to working and
 * completed (echoing its input), each change handed over through `LocalStatus` as the kit's
 * worker does. `beforeRun` runs first (to hold the worker back, or let it race ahead).
 */
function edgeWithLocalWorker(tasks: InMemoryTaskRepository, beforeRun: () => Promise<void> = async () => {}) {
  const local = new LocalStatus(logger);
  const handler = new ForgeRequestHandler({
    agent,
    brain: 'unit',
    card: () => {
      throw new Error('no card in this test');
    },
    tasks,
    status: {
      subscribe: async (taskId, onEvent) => ({
        unsubscribe: local.subscribe(taskId, (record) => onEvent(statusEventOf(record), record)),
      }),
    },
    publisher: { publish: (record) => local.publish(record) },
    dispatcher: {
      dispatch: async (envelope) => {
        await beforeRun();
        const working = await tasks.transition(envelope.id, {
          to: 'working',
          from: ['submitted'],
          newAttempt: true,
        });
        local.publish(working);
        const input = envelope.input as { text: string };
        local.publish(await tasks.transition(envelope.id, { to: 'completed', output: { echo: input.text } }));
      },
    },
    canceller: { request: async () => null },
    logger,
    blockingWaitMs: 5_000,
    quietMs: 5_000,
    cancelWaitMs: 1_000,
    closing: new AbortController().signal,
  });
  return { handler, local };
}

function countReads(tasks: InMemoryTaskRepository): { readonly count: number } {
  const counter = { count: 0 };
  const getOwned = tasks.getOwned.bind(tasks);
  tasks.getOwned = async (id, owner) => {
    counter.count++;
    return getOwned(id, owner);
  };
  return counter;
}

const sendRequest = (text: string): SendMessageRequest =>
  ({
    tenant: '',
    message: skillMessage({ skill: 'echo', input: { text } }),
    configuration: undefined,
    metadata: undefined,
  }) as SendMessageRequest;

const aliceContext = () =>
  new ServerCallContext({ user: new ForgeUser('alice', new AbortController().signal) });

describe('ForgeRequestHandler', () => {
  it('answers a blocking call from the record its own worker committed, without reading it again', async () => {
    const tasks = new InMemoryTaskRepository();
    const { handler, local } = edgeWithLocalWorker(tasks);
    const reads = countReads(tasks);
    const request = sendRequest('local');
    const task = (await handler.sendMessage(request, aliceContext())) as Task;
    expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(task.artifacts[0]?.parts[0]?.content).toEqual({ $case: 'data', value: { echo: 'local' } });
    expect(task.history.map((m) => m.messageId)).toEqual([request.message?.messageId]);
    expect(reads.count).toBe(0);
    expect(local.size).toBe(0);
  });

  it('reads the task when the record handed over does not show the message', async () => {
    const tasks = new InMemoryTaskRepository();
    // The worker hands over records without the caller's message (as one that committed from a
    // stale read would): the stored task has it, so the edge must read it rather than answer
    // from the handed-over record.
    const transition = tasks.transition.bind(tasks);
    tasks.transition = async (id, change) => {
      const record = await transition(id, change);
      return { ...record, a2a: { ...record.a2a, history: [] } };
    };
    const { handler } = edgeWithLocalWorker(tasks);
    const reads = countReads(tasks);
    const request = sendRequest('stale record');
    const task = (await handler.sendMessage(request, aliceContext())) as Task;
    expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(task.history.map((m) => m.messageId)).toEqual([request.message?.messageId]);
    expect(reads.count).toBe(1);
  });

  it("creates a blocking call's task without waiting for the flush, and flushes before answering a state no worker committed", async () => {
    const tasks = new InMemoryTaskRepository();
    const log: string[] = [];
    const create = tasks.create.bind(tasks);
    tasks.create = async (envelope, options) => {
      log.push(`create durable=${options?.durable !== false}`);
      return create(envelope, options);
    };
    tasks.flush = async () => {
      log.push('flush');
    };
    // The worker's end is committed durably: answering from it needs no flush.
    const local = edgeWithLocalWorker(tasks).handler;
    expect(((await local.sendMessage(sendRequest('ran'), aliceContext())) as Task).status?.state).toBe(
      TaskState.TASK_STATE_COMPLETED,
    );
    expect(log).toEqual(['create durable=false']);
    // Nothing runs the task: the wait runs out and the task is answered as it stands, on disk first.
    log.length = 0;
    const waiting = new ForgeRequestHandler({
      agent,
      brain: 'unit',
      card: () => {
        throw new Error('no card in this test');
      },
      tasks,
      status: { subscribe: async () => ({ unsubscribe: () => undefined }) },
      publisher: { publish: () => undefined },
      dispatcher: { dispatch: async () => undefined },
      canceller: { request: async () => null },
      logger,
      blockingWaitMs: 50,
      quietMs: 1_000,
      cancelWaitMs: 1_000,
      closing: new AbortController().signal,
    });
    const pending = (await waiting.sendMessage(sendRequest('nobody'), aliceContext())) as Task;
    expect(pending.status?.state).toBe(TaskState.TASK_STATE_SUBMITTED);
    expect(log).toEqual(['create durable=false', 'flush']);
    // returnImmediately answers with the task at once: created durably.
    log.length = 0;
    const immediate = {
      ...sendRequest('now'),
      configuration: { returnImmediately: true },
    } as SendMessageRequest;
    expect(((await waiting.sendMessage(immediate, aliceContext())) as Task).status?.state).toBe(
      TaskState.TASK_STATE_SUBMITTED,
    );
    expect(log).toEqual(['create durable=true']);
  });

  it('leaves nothing behind on the service-long closing signal after blocking calls', async () => {
    const tasks = new InMemoryTaskRepository();
    const closing = new AbortController();
    const handler = edge(tasks, closing.signal);
    const messageId = crypto.randomUUID();
    const id = await completedTask(tasks, messageId);
    const request = {
      tenant: '',
      message: skillMessage({ skill: 'echo', input: { text: 'hi' }, messageId }),
      configuration: undefined,
      metadata: undefined,
    } as SendMessageRequest;
    const call = async () => {
      const user = new ForgeUser('alice', new AbortController().signal);
      const task = await handler.sendMessage(request, new ServerCallContext({ user }));
      if (!('id' in task) || task.id !== id) throw new Error('the same call must answer the same task');
    };
    for (let i = 0; i < 1_000; i++) await call();
    const before = heapAfterGc();
    // The same call again and again (an idempotent retry answers the task at once): what each
    // answered call leaves behind adds up.
    for (let i = 0; i < 4_000; i++) await call();
    const grown = heapAfterGc() - before;
    expect(grown).toBeLessThan(1_000_000);
  }, 20_000);
});
