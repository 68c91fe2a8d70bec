import { type TestBrain, testBrain } from '@forge/testkit';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { envelope, quietLogger } from '../test/fixtures.js';
import { PgBudgetRepository } from './budget-repository.js';
import { migrate } from './migrate.js';
import { named } from './named-statement.js';
import { PgTaskRepository } from './pg-task-repository.js';
import { createPool } from './pool.js';
import { qualified, schemaForBrain } from './schema-name.js';
import { canForgetPreparedStatements, isStaleStatementError, queryNamedOnce } from './stale-statement.js';

/**
 * A rolling upgrade on the real Postgres: a migration changes a column type that pooled
 * connections' named statements return, and the store keeps answering.
 */
describe('stale prepared statements', () => {
  let brain: TestBrain;
  let schema: string;
  const pools: pg.Pool[] = [];

  beforeAll(async () => {
    brain = await testBrain('stale');
    schema = schemaForBrain(brain.name);
    await migrate({ databaseUrl: brain.databaseUrl, schema, logger: quietLogger() });
  });
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.end()));
  });
  afterAll(async () => {
    await brain.cleanup();
  });

  function pool(max: number): pg.Pool {
    const p = createPool({ connectionString: brain.databaseUrl, max, logger: quietLogger() });
    pools.push(p);
    return p;
  }

  async function backendPids(p: pg.Pool, n: number): Promise<number[]> {
    const clients = await Promise.all(Array.from({ length: n }, () => p.connect()));
    try {
      return await Promise.all(
        clients.map(
          async (c) => (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid,
        ),
      );
    } finally {
      for (const c of clients) c.release();
    }
  }

  it('a repository read survives ALTER COLUMN TYPE of a column its cached statement returns, on every pooled connection', async () => {
    const p = pool(3);
    const repo = new PgTaskRepository(p, schema);
    const { record } = await repo.create(envelope());
    // Prepare the read on all three connections at once.
    await Promise.all([repo.get(record.id), repo.get(record.id), repo.get(record.id)]);
    const before = await backendPids(p, 3);
    const tasks = qualified(schema, 'tasks');
    // The proof that the fault is real: the same named statement, run raw, now fails with 0A000.
    const raw = await p.connect();
    const rawFailure = await raw
      .query(named(`SELECT skill FROM ${tasks} WHERE id = $1`, [record.id]))
      .then(async () => {
        await p.query(`ALTER TABLE ${tasks} ALTER COLUMN skill TYPE varchar(300)`);
        return raw.query(named(`SELECT skill FROM ${tasks} WHERE id = $1`, [record.id]));
      })
      .then(
        () => null,
        (error: unknown) => error,
      );
    raw.release();
    expect(rawFailure).toMatchObject({ code: '0A000' });
    expect(isStaleStatementError(rawFailure)).toBe(true);

    // Every connection holds the stale read; each answers, in parallel and one after another.
    const reads = await Promise.all([repo.get(record.id), repo.get(record.id), repo.get(record.id)]);
    for (const read of reads) expect(read).toMatchObject({ id: record.id, skill: record.skill });
    for (let i = 0; i < 5; i += 1) expect((await repo.get(record.id))?.skill).toBe(record.skill);
    // Healed in place: the same connections, not replaced ones.
    expect((await backendPids(p, 3)).sort()).toEqual(before.sort());
    await p.query(`ALTER TABLE ${tasks} ALTER COLUMN skill TYPE text`);
  });

  it('a write survives it too, and writes once', async () => {
    const p = pool(1);
    const repo = new PgTaskRepository(p, schema);
    const { record } = await repo.create(envelope());
    await repo.transition(record.id, { to: 'working', from: ['submitted'], newAttempt: true });
    const tasks = qualified(schema, 'tasks');
    await p.query(`ALTER TABLE ${tasks} ALTER COLUMN status_message TYPE varchar(2000)`);
    try {
      const done = await repo.transition(record.id, { to: 'completed', from: ['working'], message: 'ok' });
      expect(done).toMatchObject({ state: 'completed', seq: 2, attempt: 1, statusMessage: 'ok' });
      expect(await repo.get(record.id)).toMatchObject({ state: 'completed', seq: 2 });
    } finally {
      await p.query(`ALTER TABLE ${tasks} ALTER COLUMN status_message TYPE text`);
    }
  });

  it('re-prepares after the server lost the statement (26000)', async () => {
    const p = pool(1);
    const repo = new PgTaskRepository(p, schema);
    const { record } = await repo.create(envelope());
    await repo.get(record.id);
    // Behind pg's back, as a pooler's DISCARD ALL or an operator would: pg still thinks it is parsed.
    await p.query('DEALLOCATE ALL');
    expect((await repo.get(record.id))?.id).toBe(record.id);
  });

  it('the budget usage read (a named statement) re-prepares after the server lost it', async () => {
    const p = pool(1);
    const budgets = new PgBudgetRepository(p, schema);
    const scope = `agent:stale-${Date.now()}`;
    expect((await budgets.usage('2026-12', [scope])).get(scope)).toEqual({
      spentMicros: 0,
      reservedMicros: 0,
    });
    await p.query('DEALLOCATE ALL');
    expect((await budgets.usage('2026-12', [scope])).get(scope)).toEqual({
      spentMicros: 0,
      reservedMicros: 0,
    });
  });

  it('does not retry other errors, and keeps the connection after a server error', async () => {
    const p = pool(1);
    const [pid] = await backendPids(p, 1);
    const failure = await queryNamedOnce(p, named('SELECT 1 / $1::int AS x', [0])).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: '22012' });
    expect(await backendPids(p, 1)).toEqual([pid]);
  });

  it('runs on a pg that keeps the statement cache it clears (a pg upgrade that drops it fails here)', async () => {
    const p = pool(1);
    const client = await p.connect();
    try {
      expect(canForgetPreparedStatements(client)).toBe(true);
    } finally {
      client.release();
    }
  });
});
