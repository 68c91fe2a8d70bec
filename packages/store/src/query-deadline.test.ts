import { isForgeError } from '@forge/contracts';
import { type TestBrain, testBrain } from '@forge/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope, quietLogger } from '../test/fixtures.js';
import { migrate } from './migrate.js';
import { PgTaskRepository } from './pg-task-repository.js';
import { createPool } from './pool.js';
import {
  queryDeadline,
  untilQueryDeadline,
  withoutQueryDeadline,
  withQueryDeadline,
} from './query-deadline.js';
import { schemaForBrain } from './schema-name.js';

describe('query deadlines (real Postgres)', () => {
  let brain: TestBrain;
  let pool: pg.Pool;
  let repo: PgTaskRepository;

  beforeAll(async () => {
    brain = await testBrain('qdeadline');
    const schema = schemaForBrain(brain.name);
    await migrate({ databaseUrl: brain.databaseUrl, schema, logger: quietLogger() });
    pool = createPool({
      connectionString: brain.databaseUrl,
      max: 1,
      connectionTimeoutMs: 10_000,
      logger: quietLogger(),
    });
    repo = new PgTaskRepository(pool, schema);
  });
  afterAll(async () => {
    await pool.end();
    await brain.cleanup();
  });

  it('a statement waits for a connection until its deadline, not the pool’s whole wait', async () => {
    const { record } = await repo.create(envelope());
    const held = await pool.connect();
    const started = Date.now();
    const error = await withQueryDeadline(Date.now() + 150, () => repo.get(record.id)).catch(
      (e: unknown) => e,
    );
    const waited = Date.now() - started;
    expect(isForgeError(error, 'OVERLOADED')).toBe(true);
    expect(error).toMatchObject({ retryable: true });
    expect((error as Error).message).toMatch(/stayed busy until the call's deadline/);
    expect(waited).toBeGreaterThanOrEqual(140);
    expect(waited).toBeLessThan(2_000);
    held.release();
    // The connection the abandoned wait got later went straight back: the pool still serves.
    expect((await repo.get(record.id))?.id).toBe(record.id);
    expect(pool.idleCount + pool.waitingCount).toBe(1);
    // With time to spare, the same statement runs; nested deadlines keep the earlier one.
    expect(await withQueryDeadline(Date.now() + 5_000, () => repo.get(record.id))).toMatchObject({
      id: record.id,
    });
    await withQueryDeadline(Date.now() + 100, () =>
      withQueryDeadline(Date.now() + 60_000, async () => {
        expect((queryDeadline() ?? 0) - Date.now()).toBeLessThanOrEqual(100);
      }),
    );
    expect(queryDeadline()).toBeUndefined();
  });

  it('past its deadline a statement still takes an idle connection (no wait), and is refused only a wait', async () => {
    const { record } = await repo.create(envelope());
    expect(pool.idleCount).toBe(1);
    const late = () => withQueryDeadline(Date.now() - 1, () => repo.get(record.id));
    expect((await late())?.id).toBe(record.id);
    const held = await pool.connect();
    try {
      const started = Date.now();
      const error = await late().catch((e: unknown) => e);
      expect(isForgeError(error, 'OVERLOADED')).toBe(true);
      expect(Date.now() - started).toBeLessThan(100);
    } finally {
      held.release();
    }
  });

  it('shared work runs under no caller’s deadline; each caller waits for it until its own', async () => {
    const { record } = await repo.create(envelope());
    const held = await pool.connect();
    setTimeout(() => held.release(), 200);
    let shared: Promise<unknown> | undefined;
    const started = Date.now();
    const first = withQueryDeadline(Date.now() + 50, () => {
      shared = withoutQueryDeadline(async () => {
        expect(queryDeadline()).toBeUndefined();
        return repo.get(record.id);
      });
      return untilQueryDeadline(shared);
    }).catch((e: unknown) => e);
    expect(isForgeError(await first, 'OVERLOADED')).toBe(true);
    expect(Date.now() - started).toBeLessThan(190);
    expect(await withQueryDeadline(Date.now() + 60_000, () => untilQueryDeadline(shared!))).toMatchObject({
      id: record.id,
    });
  });
});
