import { randomUUID } from 'node:crypto';
import { isForgeError } from '@forge/contracts';
import { type TestBrain, testBrain, testDatabaseUrl } from '@forge/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope, quietLogger } from '../test/fixtures.js';
import { migrate } from './migrate.js';
import { PgTaskRepository } from './pg-task-repository.js';
import { createPool } from './pool.js';
import { schemaForBrain } from './schema-name.js';

/**
 * What only a real database can show: two workers on separate connections racing for the same
 * task. Each "worker" has its own pool, so the statements really run concurrently.
 */
describe('PgTaskRepository under concurrency', () => {
  let brain: TestBrain;
  let pools: pg.Pool[];
  let workers: PgTaskRepository[];

  beforeAll(async () => {
    brain = await testBrain('race');
    const schema = schemaForBrain(brain.name);
    await migrate({ databaseUrl: brain.databaseUrl, schema, logger: quietLogger() });
    pools = [0, 1].map((i) =>
      createPool({
        connectionString: brain.databaseUrl,
        max: 4,
        applicationName: `worker-${i}`,
        logger: quietLogger(),
      }),
    );
    workers = pools.map((pool) => new PgTaskRepository(pool, schema));
  });
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
    await brain.cleanup();
  });

  it('lets exactly one of two workers win submitted → working, every time', async () => {
    const [a, b] = workers as [PgTaskRepository, PgTaskRepository];
    const tasks = await Promise.all(Array.from({ length: 20 }, () => a.create(envelope())));
    // Warm both pools so each race runs on already-open connections.
    await Promise.all(pools.map((p) => Promise.all([p.query('SELECT 1'), p.query('SELECT 1')])));
    for (const { record } of tasks) {
      const outcomes = await Promise.allSettled([
        a.transition(record.id, { to: 'working', from: ['submitted'], newAttempt: true }),
        b.transition(record.id, { to: 'working', from: ['submitted'], newAttempt: true }),
      ]);
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.filter((o) => o.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(isForgeError(lost[0]?.reason, 'ILLEGAL_TRANSITION')).toBe(true);
      const stored = await a.get(record.id);
      expect(stored).toMatchObject({ state: 'working', seq: 1, attempt: 1 });
    }
  });

  it('lets one terminal outcome win when completion and cancellation race', async () => {
    const [a, b] = workers as [PgTaskRepository, PgTaskRepository];
    const { record } = await a.create(envelope());
    await a.transition(record.id, { to: 'working' });
    const outcomes = await Promise.allSettled([
      a.transition(record.id, { to: 'completed', output: { ok: true } }),
      b.transition(record.id, { to: 'canceled', message: 'canceled by caller' }),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const stored = await a.get(record.id);
    expect(stored?.seq).toBe(2);
    // The stored output belongs to the winner only.
    if (stored?.state === 'completed') expect(stored.output).toEqual({ ok: true });
    else expect(stored).not.toHaveProperty('output');
  });

  it('loses no A2A extras when two edges merge at once', async () => {
    const [a, b] = workers as [PgTaskRepository, PgTaskRepository];
    const { record } = await a.create(envelope());
    await Promise.all(
      [a, b].map(async (repo, w) => {
        for (let i = 0; i < 10; i += 1) {
          await repo.updateA2A(record.id, {
            history: [{ messageId: `w${w}-m${i}` }],
            metadata: { [`w${w}`]: i },
          });
        }
      }),
    );
    const stored = await a.get(record.id);
    const ids = ((stored?.a2a.history ?? []) as Array<{ messageId: string }>).map((m) => m.messageId).sort();
    expect(ids).toHaveLength(20);
    expect(new Set(ids).size).toBe(20);
    expect(stored?.a2a.metadata).toEqual({ w0: 9, w1: 9 });
  });
});

describe('PgTaskRepository errors', () => {
  it('reports an unreachable database as UNAVAILABLE and retryable, so a consumer naks, not dead-letters', async () => {
    const pool = createPool({
      connectionString: 'postgres://postgres@127.0.0.1:1/test',
      logger: quietLogger(),
    });
    try {
      const error = await new PgTaskRepository(pool, 'forge_nowhere')
        .create(envelope())
        .catch((e: unknown) => e);
      expect(isForgeError(error, 'UNAVAILABLE')).toBe(true);
      expect((error as { retryable: boolean }).retryable).toBe(true);
    } finally {
      await pool.end();
    }
  });

  it('reports a schema that was never migrated as INTERNAL, not retryable, with its SQLSTATE', async () => {
    const pool = createPool({ connectionString: testDatabaseUrl(), max: 1, logger: quietLogger() });
    try {
      const repo = new PgTaskRepository(pool, 'forge_never_migrated');
      const error = await repo.get(randomUUID()).catch((e: unknown) => e);
      expect(isForgeError(error, 'INTERNAL')).toBe(true);
      expect((error as { retryable: boolean; details: unknown }).retryable).toBe(false);
      expect((error as { details: unknown }).details).toEqual({ sqlstate: '42P01' });
    } finally {
      await pool.end();
    }
  });
});

/**
 * The worker's claim commits without waiting for its WAL flush; a Postgres crash may lose it.
 * The loss is made here as a crash leaves it: the row as it was before the claim.
 */
describe('PgTaskRepository non-durable claims', () => {
  let brain: TestBrain;
  let pool: pg.Pool;
  let repo: PgTaskRepository;
  let schema: string;

  beforeAll(async () => {
    brain = await testBrain('claims');
    schema = schemaForBrain(brain.name);
    await migrate({ databaseUrl: brain.databaseUrl, schema, logger: quietLogger() });
    pool = createPool({ connectionString: brain.databaseUrl, max: 2, logger: quietLogger() });
    repo = new PgTaskRepository(pool, schema);
  });
  afterAll(async () => {
    await pool.end();
    await brain.cleanup();
  });

  /** What a crash before the claim's WAL reached the disk leaves: the row one change back. */
  async function loseClaim(id: string): Promise<void> {
    await pool.query(
      `UPDATE "${schema}".tasks SET state = 'submitted', seq = seq - 1, attempt = attempt - 1 WHERE id = $1`,
      [id],
    );
  }

  it('claims like a durable move, and refuses non-durable moves other than to working', async () => {
    const { record } = await repo.create(envelope());
    const claimed = await repo.transition(record.id, {
      to: 'working',
      from: ['submitted'],
      newAttempt: true,
      durable: false,
    });
    expect(claimed).toMatchObject({ state: 'working', seq: 1, attempt: 1 });
    const refused = await repo
      .transition(record.id, { to: 'completed', from: ['working'], durable: false })
      .catch((e: unknown) => e);
    expect(isForgeError(refused, 'BAD_INPUT')).toBe(true);
    expect((refused as Error).message).toContain('durable');
  });

  it('ends a task whose claim a crash lost, counting the claim again', async () => {
    const { record } = await repo.create(envelope());
    const claimed = await repo.transition(record.id, {
      to: 'working',
      from: ['submitted'],
      newAttempt: true,
      durable: false,
    });
    await loseClaim(record.id);
    const ended = await repo.transition(record.id, {
      to: 'completed',
      from: ['working'],
      output: { ok: true },
      claimSeq: claimed.seq,
    });
    expect(ended).toMatchObject({ state: 'completed', seq: 2, attempt: 1, output: { ok: true } });
  });

  it('without claimSeq, an end after a lost claim is an illegal transition, as before', async () => {
    const { record } = await repo.create(envelope());
    await repo.transition(record.id, {
      to: 'working',
      from: ['submitted'],
      newAttempt: true,
      durable: false,
    });
    await loseClaim(record.id);
    const refused = await repo
      .transition(record.id, { to: 'completed', from: ['working'] })
      .catch((e: unknown) => e);
    expect(isForgeError(refused, 'ILLEGAL_TRANSITION')).toBe(true);
  });

  it('creates without waiting for the flush like a durable create, and flush() makes it durable', async () => {
    const one = createPool({ connectionString: brain.databaseUrl, max: 1, logger: quietLogger() });
    try {
      const single = new PgTaskRepository(one, schema);
      const task = envelope();
      const first = await single.create(task, { durable: false });
      expect(first).toMatchObject({ created: true, record: { id: task.id, state: 'submitted', seq: 0 } });
      // The setting was local to the INSERT's transaction: the connection's next commit is durable.
      const setting = await one.query<{ synchronous_commit: string }>('SHOW synchronous_commit');
      expect(setting.rows[0]?.synchronous_commit).toBe('on');
      // A repeat finds the first task, as a durable create does.
      const again = await single.create({ ...task, id: randomUUID() }, { durable: false });
      expect(again).toMatchObject({ created: false, record: { id: task.id } });
      await single.flush();
      expect(await single.get(task.id)).toMatchObject({ id: task.id, state: 'submitted' });
    } finally {
      await one.end();
    }
  });

  it('claimSeq never moves a task someone else changed since the claim', async () => {
    const { record } = await repo.create(envelope());
    const claimed = await repo.transition(record.id, {
      to: 'working',
      from: ['submitted'],
      newAttempt: true,
      durable: false,
    });
    await repo.transition(record.id, { to: 'canceled', from: ['working'], message: 'canceled by op' });
    const refused = await repo
      .transition(record.id, { to: 'completed', from: ['working'], claimSeq: claimed.seq })
      .catch((e: unknown) => e);
    expect(isForgeError(refused, 'ILLEGAL_TRANSITION')).toBe(true);
    expect(await repo.get(record.id)).toMatchObject({ state: 'canceled', seq: 2 });
  });
});
