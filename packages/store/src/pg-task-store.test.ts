import { randomUUID } from 'node:crypto';
import { AgentCard, Artifact, Message, Role, type Task, TaskState } from '@a2a-js/sdk';
import {
  type AgentExecutor,
  DefaultRequestHandler,
  ServerCallContext,
  UnauthenticatedUser,
  type User,
} from '@a2a-js/sdk/server';
import { isForgeError } from '@forge/contracts';
import { type TestBrain, testBrain } from '@forge/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope, quietLogger, routing } from '../test/fixtures.js';
import { migrate } from './migrate.js';
import { PgTaskRepository } from './pg-task-repository.js';
import { PgTaskStore } from './pg-task-store.js';
import { createPool } from './pool.js';
import { schemaForBrain } from './schema-name.js';

class Principal implements User {
  constructor(readonly name: string) {}
  get isAuthenticated(): boolean {
    return true;
  }
  get userName(): string {
    return this.name;
  }
}

const as = (name: string) => new ServerCallContext({ user: new Principal(name) });
const anonymous = () => new ServerCallContext({ user: new UnauthenticatedUser() });

function userMessage(taskId: string, contextId: string, text: string): Message {
  return {
    messageId: randomUUID(),
    contextId,
    taskId,
    role: Role.ROLE_USER,
    parts: [
      { content: { $case: 'text', value: text }, metadata: undefined, filename: '', mediaType: 'text/plain' },
    ],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
}

function textOf(message: Message | undefined): string | undefined {
  const content = message?.parts[0]?.content;
  return content?.$case === 'text' ? content.value : undefined;
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isForgeError(error, code as never), `expected ${code}, got ${String(error)}`).toBe(true);
  return error as Error;
}

describe('PgTaskStore (A2A TaskStore over PgTaskRepository)', () => {
  let brain: TestBrain;
  let pool: pg.Pool;
  let repo: PgTaskRepository;
  let store: PgTaskStore;

  beforeAll(async () => {
    brain = await testBrain('a2a');
    const schema = schemaForBrain(brain.name);
    await migrate({ databaseUrl: brain.databaseUrl, schema, logger: quietLogger() });
    pool = createPool({ connectionString: brain.databaseUrl, max: 3, logger: quietLogger() });
    repo = new PgTaskRepository(pool, schema);
    store = new PgTaskStore(repo);
  });
  afterAll(async () => {
    await pool.end();
    await brain.cleanup();
  });

  it('loads a finished task as a v1.0 Task: state, status line, result artifact, metadata', async () => {
    const { record } = await repo.create(envelope({ owner: 'alice' }));
    const decision = routing();
    await repo.setRouting(record.id, decision);
    await repo.transition(record.id, { to: 'working', newAttempt: true, message: 'scoring 2 headlines' });
    const working = await store.load(record.id, as('alice'));
    expect(working?.status?.state).toBe(TaskState.TASK_STATE_WORKING);
    expect(textOf(working?.status?.message)).toBe('scoring 2 headlines');
    expect(working?.status?.message?.role).toBe(Role.ROLE_AGENT);
    expect(working?.artifacts).toEqual([]);

    const done = await repo.transition(record.id, { to: 'completed', output: { scores: [0.9, 0.1] } });
    const task = await store.load(record.id, as('alice'));
    expect(task).toMatchObject({ id: record.id, contextId: record.contextId, history: [] });
    expect(task?.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(task?.status?.timestamp).toBe(done.updatedAt);
    expect(task?.status?.message).toBeUndefined();
    expect(task?.artifacts).toHaveLength(1);
    expect(task?.artifacts[0]).toMatchObject({ artifactId: 'result', name: 'result' });
    expect(task?.artifacts[0]?.parts[0]?.content).toEqual({ $case: 'data', value: { scores: [0.9, 0.1] } });
    expect(task?.metadata).toMatchObject({ skill: 'scout.score-headlines', agent: 'scout', attempt: 1 });
    expect(task?.metadata?.routing).toEqual(decision);
  });

  it('shows a failed task with its error as the status line', async () => {
    const { record } = await repo.create(envelope({ owner: 'alice' }));
    await repo.transition(record.id, {
      to: 'failed',
      error: { code: 'DEADLINE_EXCEEDED', message: 'too late' },
    });
    const task = await store.load(record.id, as('alice'));
    expect(task?.status?.state).toBe(TaskState.TASK_STATE_FAILED);
    expect(textOf(task?.status?.message)).toBe('too late');
    expect(task?.metadata?.error).toEqual({ code: 'DEADLINE_EXCEEDED', message: 'too late' });
  });

  it('round-trips what save writes: history, artifacts and metadata, without touching state', async () => {
    const { record } = await repo.create(envelope({ owner: 'alice' }));
    const loaded = (await store.load(record.id, as('alice'))) as Task;
    const question = userMessage(record.id, record.contextId, 'score these');
    const notes: Artifact = {
      artifactId: 'notes',
      name: 'notes',
      description: '',
      parts: [
        {
          content: { $case: 'text', value: 'n' },
          metadata: undefined,
          filename: '',
          mediaType: 'text/plain',
        },
      ],
      metadata: undefined,
      extensions: [],
    };
    const forgedResult: Artifact = { ...notes, artifactId: 'result', name: 'forged' };
    await store.save(
      {
        ...loaded,
        // A save may claim a legal later state (the SDK relaying the worker's event); it is not written.
        status: {
          state: TaskState.TASK_STATE_WORKING,
          message: undefined,
          timestamp: new Date().toISOString(),
        },
        history: [question],
        artifacts: [notes, forgedResult],
        metadata: { requestId: 'r-1', skill: 'someone.else', attempt: 99 },
      },
      as('alice'),
    );
    const task = await store.load(record.id, as('alice'));
    expect(task?.status?.state).toBe(TaskState.TASK_STATE_SUBMITTED);
    expect(task?.history.map((m) => m.messageId)).toEqual([question.messageId]);
    expect(textOf(task?.history[0])).toBe('score these');
    expect(task?.history[0]?.role).toBe(Role.ROLE_USER);
    expect(task?.artifacts.map((a) => a.artifactId)).toEqual(['notes']);
    expect(task?.metadata).toMatchObject({ requestId: 'r-1', skill: 'scout.score-headlines', attempt: 0 });
    const stored = await repo.get(record.id);
    expect(stored).toMatchObject({ state: 'submitted', seq: 0 });
    expect(stored?.a2a.artifacts).toEqual([Artifact.toJSON(notes)]);

    // A second save with the same message does not duplicate it.
    await store.save({ ...(task as Task), history: [question] }, as('alice'));
    expect((await store.load(record.id, as('alice')))?.history).toHaveLength(1);
  });

  it('refuses a save that would move state backwards or along an illegal edge', async () => {
    const { record } = await repo.create(envelope({ owner: 'alice' }));
    await repo.transition(record.id, { to: 'working' });
    const working = (await store.load(record.id, as('alice'))) as Task;
    const stale = { ...working, status: { ...working.status!, state: TaskState.TASK_STATE_SUBMITTED } };
    const error = await expectCode(store.save(stale, as('alice')), 'ILLEGAL_TRANSITION');
    expect(error.message).toMatch(/working.*submitted/);

    await repo.transition(record.id, { to: 'completed', output: 'done' });
    const relayedLate = { ...working, history: [userMessage(record.id, record.contextId, 'late')] };
    await expectCode(store.save(relayedLate, as('alice')), 'ILLEGAL_TRANSITION');
    const after = await store.load(record.id, as('alice'));
    expect(after?.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(after?.history).toEqual([]);
  });

  it('keeps callers to their own tasks: another owner or an anonymous caller sees nothing', async () => {
    const contextId = `ctx-${randomUUID()}`;
    const { record } = await repo.create(envelope({ owner: 'owner-a', contextId }));
    const asA = (await store.load(record.id, as('owner-a'))) as Task;
    expect(asA.id).toBe(record.id);

    expect(await store.load(record.id, as('owner-b'))).toBeUndefined();
    expect(await store.load(record.id, anonymous())).toBeUndefined();
    expect(await store.load(record.id, new ServerCallContext())).toBeUndefined();
    const listB = await store.list({ contextId } as never, as('owner-b'));
    expect(listB).toMatchObject({ tasks: [], totalSize: 0, nextPageToken: '' });
    expect((await store.list({} as never, anonymous())).tasks).toEqual([]);
    await expectCode(store.save(asA, as('owner-b')), 'NOT_FOUND');
    await expectCode(store.save(asA, anonymous()), 'UNAUTHENTICATED');
    expect((await repo.get(record.id))?.a2a.history).toEqual([]);
  });

  it('maps an ownerOf option onto the caller', async () => {
    const tenantStore = new PgTaskStore(repo, { ownerOf: (ctx) => `partner:${ctx.user?.userName}` });
    const { record } = await repo.create(envelope({ owner: 'partner:acme' }));
    expect((await tenantStore.load(record.id, as('acme')))?.id).toBe(record.id);
    expect(await store.load(record.id, as('acme'))).toBeUndefined();
  });

  it('lists with filters and pagination, leaving artifacts out unless asked', async () => {
    const owner = `lister-${randomUUID().slice(0, 8)}`;
    const contextId = `ctx-${randomUUID()}`;
    const created = [];
    for (let i = 0; i < 3; i += 1) {
      const { record } = await repo.create(
        envelope({ owner, contextId, createdAt: new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString() }),
      );
      created.push(record);
      // Apart by more than the millisecond the update times are kept at, so the order is theirs.
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
    await repo.transition(created[0]!.id, { to: 'working' });
    await repo.transition(created[0]!.id, { to: 'completed', output: 1 });
    const ctx = as(owner);
    // Last updated first (A2A ListTasks): the task that just completed leads.
    const first = await store.list({ contextId, pageSize: 2 } as never, ctx);
    expect(first.tasks.map((t) => t.id)).toEqual([created[0]!.id, created[2]!.id]);
    expect(first.tasks[0]?.artifacts).toEqual([]);
    expect(first.totalSize).toBe(3);
    expect(first.pageSize).toBe(2);
    const second = await store.list({ contextId, pageSize: 2, pageToken: first.nextPageToken } as never, ctx);
    expect(second.tasks.map((t) => t.id)).toEqual([created[1]!.id]);
    expect(second.nextPageToken).toBe('');

    const completed = await store.list(
      { status: TaskState.TASK_STATE_COMPLETED, includeArtifacts: true } as never,
      ctx,
    );
    expect(completed.tasks.map((t) => t.id)).toEqual([created[0]!.id]);
    expect(completed.tasks[0]?.artifacts[0]?.artifactId).toBe('result');
    const unspecified = await store.list({ status: TaskState.TASK_STATE_UNSPECIFIED } as never, ctx);
    expect(unspecified.totalSize).toBe(3);
    // A date-only timestamp is valid A2A; none of these tasks changed state after 2999.
    expect((await store.list({ statusTimestampAfter: '2999-01-01' } as never, ctx)).totalSize).toBe(0);
    expect((await store.list({ statusTimestampAfter: '2000-01-01' } as never, ctx)).totalSize).toBe(3);
  });

  it("answers the SDK's DefaultRequestHandler for GetTask and ListTasks", async () => {
    const card = AgentCard.fromJSON({ name: 'scout', description: 'test card', version: '1.0.0' });
    // GetTask and ListTasks only read the store; the executor is never called.
    const executor: AgentExecutor = {
      execute: async () => {
        throw new Error('not used');
      },
      cancelTask: async () => {
        throw new Error('not used');
      },
    };
    const handler = new DefaultRequestHandler(card, store, executor);
    const owner = `handler-${randomUUID().slice(0, 8)}`;
    const { record } = await repo.create(envelope({ owner }));
    const messages = [1, 2, 3].map((i) => Message.toJSON(userMessage(record.id, record.contextId, `m${i}`)));
    await repo.updateA2A(record.id, { history: messages });

    const task = await handler.getTask({ id: record.id, historyLength: 2 } as never, as(owner));
    expect(task.status?.state).toBe(TaskState.TASK_STATE_SUBMITTED);
    expect(task.history.map(textOf)).toEqual(['m2', 'm3']);
    await expect(handler.getTask({ id: record.id } as never, as('intruder'))).rejects.toThrow(/not found/i);

    const listed = await handler.listTasks({} as never, as(owner));
    expect(listed.tasks.map((t) => t.id)).toEqual([record.id]);
    expect(listed.pageSize).toBe(50);
  });
});
