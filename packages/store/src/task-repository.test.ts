import { randomUUID } from 'node:crypto';
import { isForgeError, type TaskState } from '@forge/contracts';
import { type TestBrain, testBrain } from '@forge/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope, quietLogger, routing } from '../test/fixtures.js';
import { InMemoryTaskRepository } from './in-memory-task-repository.js';
import { migrate } from './migrate.js';
import { PgTaskRepository } from './pg-task-repository.js';
import { createPool } from './pool.js';
import { schemaForBrain } from './schema-name.js';
import type { TaskRepository } from './task-repository.js';

/**
 * One contract, two implementations: everything here must hold for the in-memory repository
 * that unit tests elsewhere use and for the Postgres one that production uses.
 */
interface Harness {
  repo(): TaskRepository;
  setup(): Promise<void>;
  teardown(): Promise<void>;
}

function inMemoryHarness(): Harness {
  const repo = new InMemoryTaskRepository();
  return { repo: () => repo, setup: async () => {}, teardown: async () => {} };
}

function postgresHarness(): Harness {
  let brain: TestBrain;
  let pool: pg.Pool;
  let repo: PgTaskRepository;
  return {
    repo: () => repo,
    async setup() {
      brain = await testBrain('repo');
      const schema = schemaForBrain(brain.name);
      await migrate({ databaseUrl: brain.databaseUrl, schema, logger: quietLogger() });
      pool = createPool({ connectionString: brain.databaseUrl, max: 4, logger: quietLogger() });
      repo = new PgTaskRepository(pool, schema);
    },
    async teardown() {
      await pool?.end();
      await brain?.cleanup();
    },
  };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

async function expectCode(promise: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  const error = await rejection(promise);
  expect(isForgeError(error), String(error)).toBe(true);
  expect((error as { code: string }).code).toBe(code);
  if (message) expect((error as Error).message).toMatch(message);
}

describe.each([
  ['InMemoryTaskRepository', inMemoryHarness],
  ['PgTaskRepository', postgresHarness],
])('%s (TaskRepository contract)', (_name, makeHarness) => {
  const harness = makeHarness();
  const repo = () => harness.repo();
  beforeAll(() => harness.setup());
  afterAll(() => harness.teardown());

  describe('create', () => {
    it('stores a new task in submitted with its envelope fields', async () => {
      const env = envelope({ owner: 'carol', parentId: randomUUID(), deadline: '2030-01-01T00:00:00.000Z' });
      const { record, created } = await repo().create(env);
      expect(created).toBe(true);
      expect(record).toMatchObject({
        id: env.id,
        skill: 'scout.score-headlines',
        agent: 'scout',
        owner: 'carol',
        origin: env.origin,
        idempotencyKey: env.idempotencyKey,
        contextId: env.contextId,
        parentId: env.parentId,
        state: 'submitted',
        seq: 0,
        attempt: 0,
        input: env.input,
        deadline: '2030-01-01T00:00:00.000Z',
        createdAt: env.createdAt,
        a2a: { history: [], artifacts: [], metadata: {} },
      });
      expect(record.updatedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      for (const absent of ['output', 'error', 'statusMessage', 'routing'] as const) {
        expect(record).not.toHaveProperty(absent);
      }
      expect(await repo().get(env.id)).toEqual(record);
    });

    it('is idempotent by idempotencyKey: the second create returns the first record', async () => {
      const first = envelope();
      const again = { ...envelope(), idempotencyKey: first.idempotencyKey };
      const a = await repo().create(first);
      const b = await repo().create(again);
      expect(b.created).toBe(false);
      expect(b.record).toEqual(a.record);
      expect(await repo().get(again.id)).toBeNull();
    });

    it('refuses a key already used by another owner, without revealing the task', async () => {
      const first = envelope({ owner: 'alice' });
      await repo().create(first);
      const stolen = { ...envelope({ owner: 'mallory' }), idempotencyKey: first.idempotencyKey };
      await expectCode(repo().create(stolen), 'CONFLICT', /idempotencyKey/);
    });

    it('refuses an id already used under another key', async () => {
      const first = envelope();
      await repo().create(first);
      await expectCode(repo().create({ ...envelope(), id: first.id }), 'CONFLICT');
    });

    it('validates the envelope and names the bad field', async () => {
      await expectCode(repo().create({ ...envelope(), skill: 'no-dot' }), 'BAD_INPUT', /skill/);
      await expectCode(repo().create({ ...envelope(), idempotencyKey: '' }), 'BAD_INPUT', /idempotencyKey/);
    });

    it('writes the initial A2A extras with the row, merged as updateA2A would', async () => {
      const env = envelope();
      const { record, created } = await repo().create(env, {
        a2a: {
          history: [
            { messageId: 'm1', text: 'first draft' },
            { messageId: 'm1', text: 'hi' },
          ],
          metadata: { source: 'edge' },
        },
      });
      expect(created).toBe(true);
      expect(record.a2a).toEqual({
        history: [{ messageId: 'm1', text: 'hi' }],
        artifacts: [],
        metadata: { source: 'edge' },
      });
      expect(record).toMatchObject({ state: 'submitted', seq: 0 });
      expect(await repo().get(env.id)).toEqual(record);
    });

    it('never duplicates or replaces history when the same create comes again', async () => {
      const first = envelope();
      const message = { messageId: 'm1', text: 'hi' };
      const a = await repo().create(first, { a2a: { history: [message] } });
      const again = await repo().create(
        { ...envelope(), idempotencyKey: first.idempotencyKey },
        { a2a: { history: [message] } },
      );
      const other = await repo().create(
        { ...envelope(), idempotencyKey: first.idempotencyKey },
        { a2a: { history: [{ messageId: 'm2', text: 'other' }], metadata: { late: true } } },
      );
      expect([again.created, other.created]).toEqual([false, false]);
      expect(again.record).toEqual(a.record);
      expect(other.record).toEqual(a.record);
      expect((await repo().get(first.id))?.a2a).toEqual({ history: [message], artifacts: [], metadata: {} });
    });

    it('keeps later extras merging onto the initial ones', async () => {
      const { record } = await repo().create(envelope(), { a2a: { history: [{ messageId: 'm1' }] } });
      await repo().updateA2A(record.id, { history: [{ messageId: 'm2' }] });
      expect((await repo().get(record.id))?.a2a.history).toEqual([{ messageId: 'm1' }, { messageId: 'm2' }]);
    });

    it('validates the initial extras, names the field and stores nothing', async () => {
      const env = envelope();
      await expectCode(repo().create(env, { a2a: { history: 'x' as never } }), 'BAD_INPUT', /a2a\.history/);
      await expectCode(repo().create(env, { a2a: { metadata: [] as never } }), 'BAD_INPUT', /a2a\.metadata/);
      expect(await repo().get(env.id)).toBeNull();
    });
  });

  describe('get and getOwned', () => {
    it('returns null for a missing task or an id that is not a UUID', async () => {
      expect(await repo().get(randomUUID())).toBeNull();
      expect(await repo().get('not-a-uuid')).toBeNull();
      expect(await repo().getOwned('not-a-uuid', 'alice')).toBeNull();
    });

    it("hides another owner's task", async () => {
      const { record } = await repo().create(envelope({ owner: 'dave' }));
      expect(await repo().getOwned(record.id, 'dave')).toEqual(record);
      expect(await repo().getOwned(record.id, 'erin')).toBeNull();
    });

    it('hands out copies: changing a returned record changes nothing stored', async () => {
      const { record } = await repo().create(envelope());
      record.state = 'completed';
      (record.input as { headlines: string[] }).headlines.push('x');
      const again = await repo().get(record.id);
      expect(again?.state).toBe('submitted');
      expect(again?.input).toEqual({ headlines: ['a', 'b'] });
    });
  });

  describe('transition', () => {
    it('moves along legal edges, bumping seq and, when asked, attempt', async () => {
      const { record } = await repo().create(envelope());
      const working = await repo().transition(record.id, {
        to: 'working',
        from: ['submitted'],
        newAttempt: true,
        message: 'scoring',
      });
      expect(working).toMatchObject({ state: 'working', seq: 1, attempt: 1, statusMessage: 'scoring' });
      const done = await repo().transition(record.id, { to: 'completed', output: { score: 0.9 } });
      expect(done).toMatchObject({ state: 'completed', seq: 2, attempt: 1, output: { score: 0.9 } });
      expect(done).not.toHaveProperty('statusMessage');
      expect(Date.parse(done.updatedAt)).toBeGreaterThanOrEqual(Date.parse(record.updatedAt));
      expect(await repo().get(record.id)).toEqual(done);
    });

    it('stores the error of a failed task', async () => {
      const { record } = await repo().create(envelope());
      await repo().transition(record.id, { to: 'working' });
      const failed = await repo().transition(record.id, {
        to: 'failed',
        error: { code: 'PROVIDER_ERROR', message: 'upstream 500' },
        message: 'model call failed',
      });
      expect(failed.error).toEqual({ code: 'PROVIDER_ERROR', message: 'upstream 500' });
      expect(failed.statusMessage).toBe('model call failed');
    });

    it('refuses illegal moves and names both states', async () => {
      const { record } = await repo().create(envelope());
      await repo().transition(record.id, { to: 'working' });
      await repo().transition(record.id, { to: 'completed', output: 1 });
      await expectCode(
        repo().transition(record.id, { to: 'working' }),
        'ILLEGAL_TRANSITION',
        /completed.*working/,
      );
      await expectCode(repo().transition(record.id, { to: 'submitted' }), 'ILLEGAL_TRANSITION', /completed/);
      const unchanged = await repo().get(record.id);
      expect(unchanged).toMatchObject({ state: 'completed', seq: 2, output: 1 });
    });

    it('is a compare-and-set on `from`: a legal move from an unexpected state loses', async () => {
      const { record } = await repo().create(envelope());
      await repo().transition(record.id, { to: 'working', from: ['submitted'] });
      await expectCode(
        repo().transition(record.id, { to: 'working', from: ['submitted'] }),
        'ILLEGAL_TRANSITION',
        /working.*working.*expected.*submitted/,
      );
      // working → working without `from` is a legal new attempt (a redelivery).
      const again = await repo().transition(record.id, { to: 'working', newAttempt: true });
      expect(again).toMatchObject({ state: 'working', seq: 2, attempt: 1 });
    });

    it('says NOT_FOUND for a missing task and BAD_INPUT for a bad change', async () => {
      await expectCode(repo().transition(randomUUID(), { to: 'working' }), 'NOT_FOUND');
      await expectCode(repo().transition('nope', { to: 'working' }), 'NOT_FOUND');
      const { record } = await repo().create(envelope());
      await expectCode(repo().transition(record.id, { to: 'done' as TaskState }), 'BAD_INPUT', /to/);
      await expectCode(
        repo().transition(record.id, { to: 'failed', error: { code: '' } as never }),
        'BAD_INPUT',
        /error\./,
      );
    });
  });

  describe('list', () => {
    const owner = `lister-${randomUUID().slice(0, 8)}`;
    const base = Date.parse('2025-06-01T12:00:00.000Z');
    const ids: string[] = [];

    beforeAll(async () => {
      // Seven tasks: five at distinct times, two sharing one instant (ordered by id), and one of
      // another owner that must never show up.
      const times = [0, 1000, 2000, 2000, 3000, 4000, 5000];
      for (const [i, offset] of times.entries()) {
        const { record } = await repo().create(
          envelope({
            owner,
            contextId: i % 2 === 0 ? 'ctx-even' : 'ctx-odd',
            createdAt: new Date(base + offset).toISOString(),
          }),
        );
        ids.push(record.id);
      }
      await repo().create(envelope({ owner: `${owner}-other`, contextId: 'ctx-even' }));
      await new Promise((resolve) => setTimeout(resolve, 5));
      await repo().transition(ids[0]!, { to: 'working' });
    });

    /** What A2A ListTasks orders by: last update, newest first, then id (read one by one). */
    async function expectedOrder(): Promise<string[]> {
      const records = await Promise.all(ids.map(async (id) => (await repo().get(id))!));
      return records
        .sort((a, b) =>
          a.updatedAt === b.updatedAt ? (a.id < b.id ? 1 : -1) : a.updatedAt < b.updatedAt ? 1 : -1,
        )
        .map((r) => r.id);
    }

    it('pages by last update, newest first, with a stable keyset token and a total', async () => {
      const seen: string[] = [];
      let pageToken: string | undefined;
      let pages = 0;
      do {
        const page = await repo().list({ owner, pageSize: 2, ...(pageToken ? { pageToken } : {}) });
        expect(page.totalSize).toBe(7);
        expect(page.records.length).toBeLessThanOrEqual(2);
        seen.push(...page.records.map((r) => r.id));
        pageToken = page.nextPageToken;
        pages += 1;
      } while (pageToken !== undefined && pages < 10);
      expect(pages).toBe(4);
      expect(seen).toEqual(await expectedOrder());
      // The task moved to working last comes first, though it was created first.
      expect(seen[0]).toBe(ids[0]);
    });

    it('keeps later pages stable when newer tasks arrive between calls', async () => {
      const order = await expectedOrder();
      const first = await repo().list({ owner, pageSize: 3 });
      await repo().create(envelope({ owner, createdAt: new Date(base + 9000).toISOString() }));
      const second = await repo().list({ owner, pageSize: 3, pageToken: first.nextPageToken! });
      expect(second.records.map((r) => r.id)).toEqual(order.slice(3, 6));
      expect(second.totalSize).toBe(8);
    });

    it('filters by contextId and state', async () => {
      const even = await repo().list({ owner, contextId: 'ctx-even', pageSize: 100 });
      expect(even.records.every((r) => r.contextId === 'ctx-even' && r.owner === owner)).toBe(true);
      expect(even.totalSize).toBe(4);
      const working = await repo().list({ owner, state: 'working', pageSize: 100 });
      expect(working.records.map((r) => r.id)).toEqual([ids[0]]);
      expect(working.totalSize).toBe(1);
      expect(working.nextPageToken).toBeUndefined();
    });

    it('filters by last change', async () => {
      const future = await repo().list({ owner, pageSize: 100, updatedAfter: '2999-01-01T00:00:00Z' });
      expect(future.records).toEqual([]);
      const past = await repo().list({ owner, pageSize: 100, updatedAfter: '2000-01-01T00:00:00Z' });
      expect(past.totalSize).toBe(8);
    });

    it('sees only the owner', async () => {
      const none = await repo().list({ owner: 'nobody-at-all', pageSize: 10 });
      expect(none).toEqual({ records: [], totalSize: 0 });
    });

    it('refuses bad page sizes and tokens, naming the field', async () => {
      await expectCode(repo().list({ owner, pageSize: 0 }), 'BAD_INPUT', /pageSize/);
      await expectCode(repo().list({ owner, pageSize: 101 }), 'BAD_INPUT', /pageSize/);
      await expectCode(repo().list({ owner, pageSize: 5, pageToken: 'garbage' }), 'BAD_INPUT', /pageToken/);
      await expectCode(repo().list({ owner: '', pageSize: 5 }), 'BAD_INPUT', /owner/);
    });
  });

  describe('artifacts and history', () => {
    it('appends chunks to an artifact, replaces one, adds another, each as a change', async () => {
      const { record } = await repo().create(envelope());
      await repo().transition(record.id, { to: 'working' });
      const part = (text: string) => ({ text });
      const a = await repo().appendArtifact(
        record.id,
        { artifactId: 'report', name: 'Report', parts: [part('one ')], append: false, lastChunk: false },
        ['working'],
      );
      const b = await repo().appendArtifact(
        record.id,
        { artifactId: 'report', parts: [part('two')], append: true, lastChunk: true },
        ['working'],
      );
      await repo().appendArtifact(
        record.id,
        {
          artifactId: 'chart',
          parts: [{ url: 'https://example.com/c.png', mediaType: 'image/png' }],
          append: false,
          lastChunk: true,
        },
        ['working'],
      );
      expect(b.seq).toBe(a.seq + 1);
      const stored = await repo().get(record.id);
      expect(stored?.a2a.artifacts).toEqual([
        { artifactId: 'report', name: 'Report', parts: [part('one '), part('two')] },
        { artifactId: 'chart', parts: [{ url: 'https://example.com/c.png', mediaType: 'image/png' }] },
      ]);
      await repo().appendArtifact(
        record.id,
        { artifactId: 'report', parts: [part('new')], append: false, lastChunk: true },
        ['working'],
      );
      expect((await repo().get(record.id))?.a2a.artifacts[0]).toEqual({
        artifactId: 'report',
        parts: [part('new')],
      });
      await repo().transition(record.id, { to: 'completed' });
      await expectCode(
        repo().appendArtifact(record.id, { artifactId: 'late', parts: [], append: false, lastChunk: true }, [
          'working',
        ]),
        'ILLEGAL_TRANSITION',
      );
      await expectCode(
        repo().appendArtifact(randomUUID(), { artifactId: 'x', parts: [], append: false, lastChunk: true }, [
          'working',
        ]),
        'NOT_FOUND',
      );
    });

    it('appends history and merges metadata in the same statement as a move', async () => {
      const { record } = await repo().create(envelope(), {
        a2a: { history: [{ messageId: 'm1', role: 'ROLE_USER' }] },
      });
      await repo().transition(record.id, { to: 'working' });
      const done = await repo().transition(record.id, {
        to: 'completed',
        history: [{ messageId: 'reply', role: 'ROLE_AGENT', parts: [{ text: 'hi' }] }],
        metadata: { reply: 'reply' },
      });
      expect(done.a2a.history.map((m) => (m as { messageId: string }).messageId)).toEqual(['m1', 'reply']);
      expect(done.a2a.metadata).toMatchObject({ reply: 'reply' });
    });

    it('ties a follow-up message key to one message of one task', async () => {
      const one = (await repo().create(envelope())).record;
      const two = (await repo().create(envelope())).record;
      const key = { idempotencyKey: `alice:${randomUUID()}`, owner: 'alice' };
      const message = { messageId: 'follow-up', role: 'ROLE_USER', parts: [{ text: 'yes' }] };
      await repo().appendMessage(one.id, message, key);
      await repo().appendMessage(one.id, message, key); // a retry: merged, not doubled
      expect((await repo().get(one.id))?.a2a.history).toEqual([message]);
      await expectCode(repo().appendMessage(two.id, message, key), 'CONFLICT', new RegExp(one.id));
      await expectCode(
        repo().create(envelope({ idempotencyKey: key.idempotencyKey })),
        'CONFLICT',
        new RegExp(one.id),
      );
      await expectCode(
        repo().appendMessage(two.id, message, { idempotencyKey: one.idempotencyKey, owner: 'alice' }),
        'CONFLICT',
        new RegExp(one.id),
      );
      await expectCode(repo().appendMessage(randomUUID(), message, key), 'NOT_FOUND');
    });
  });

  describe('setRouting', () => {
    it('keeps the first decision and returns it to later callers', async () => {
      const { record } = await repo().create(envelope());
      const first = routing({ tier: 'small' });
      expect(await repo().setRouting(record.id, first)).toEqual(first);
      const second = routing({ tier: 'frontier', reasons: ['a later, different decision'] });
      expect(await repo().setRouting(record.id, second)).toEqual(first);
      expect((await repo().get(record.id))?.routing).toEqual(first);
    });

    it('keeps a decision stamped on the envelope', async () => {
      const stamped = routing({ tier: 'mid' });
      const { record } = await repo().create(envelope({ routing: stamped }));
      expect(await repo().setRouting(record.id, routing({ tier: 'tool', model: null }))).toEqual(stamped);
    });

    it('validates the decision and needs the task', async () => {
      const { record } = await repo().create(envelope());
      await expectCode(repo().setRouting(record.id, { ...routing(), reasons: [] }), 'BAD_INPUT', /reasons/);
      await expectCode(repo().setRouting(randomUUID(), routing()), 'NOT_FOUND');
    });
  });

  describe('updateA2A', () => {
    it('merges history by messageId, artifacts by artifactId and metadata by key', async () => {
      const { record } = await repo().create(envelope());
      await repo().updateA2A(record.id, {
        history: [{ messageId: 'm1', text: 'hi' }],
        artifacts: [{ artifactId: 'a1', v: 1 }],
        metadata: { a: 1 },
      });
      await repo().updateA2A(record.id, {
        history: [
          { messageId: 'm1', text: 'hi (edited)' },
          { messageId: 'm2', text: 'more' },
        ],
        artifacts: [{ artifactId: 'a2', v: 2 }],
        metadata: { b: 2 },
      });
      const stored = await repo().get(record.id);
      expect(stored?.a2a).toEqual({
        history: [
          { messageId: 'm1', text: 'hi (edited)' },
          { messageId: 'm2', text: 'more' },
        ],
        artifacts: [
          { artifactId: 'a1', v: 1 },
          { artifactId: 'a2', v: 2 },
        ],
        metadata: { a: 1, b: 2 },
      });
    });

    it('never touches state, seq or the status time', async () => {
      const { record } = await repo().create(envelope());
      const working = await repo().transition(record.id, { to: 'working' });
      await repo().updateA2A(record.id, { metadata: { state: 'completed' } });
      const after = await repo().get(record.id);
      expect(after).toMatchObject({ state: 'working', seq: 1, updatedAt: working.updatedAt });
    });

    it('needs the task and valid extras', async () => {
      await expectCode(repo().updateA2A(randomUUID(), { metadata: {} }), 'NOT_FOUND');
      const { record } = await repo().create(envelope());
      await expectCode(repo().updateA2A(record.id, { history: 'x' as never }), 'BAD_INPUT', /history/);
    });
  });
});
