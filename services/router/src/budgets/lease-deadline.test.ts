import { randomUUID } from 'node:crypto';
import {
  createPool,
  migrate,
  PgBudgetRepository,
  type Settlement,
  schemaForBrain,
  withQueryDeadline,
} from '@forge/store';
import { type TestBrain, testBrain } from '@forge/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quietLogger, waitFor } from '../../test/harness.js';
import { BudgetLeases } from './budget-leases.js';

/**
 * A budget lease is placed once for every call asking for it at the moment: the placement is
 * shared, so no one caller's deadline may end it for the others. Real Postgres, a one-connection
 * pool kept busy by the test.
 */
describe('a shared lease placement and the callers’ deadlines', () => {
  let brain: TestBrain;
  let pool: pg.Pool;
  let budgets: PgBudgetRepository;
  const logger = quietLogger();

  beforeAll(async () => {
    brain = await testBrain('leasedl');
    const schema = schemaForBrain(brain.name);
    await migrate({ databaseUrl: brain.databaseUrl, schema, logger });
    pool = createPool({ connectionString: brain.databaseUrl, max: 1, logger });
    budgets = new PgBudgetRepository(pool, schema);
  });
  afterAll(async () => {
    await pool?.end();
    await brain?.cleanup();
  });

  /** Holds the pool's only connection for `ms`; `freed` resolves when it is given back. */
  async function busyFor(ms: number): Promise<{ freed: Promise<void> }> {
    const held = await pool.connect();
    const freed = new Promise<void>((resolve) =>
      setTimeout(() => {
        held.release();
        resolve();
      }, ms),
    );
    return { freed };
  }

  const request = () => ({
    period: '2026-12',
    scopes: [{ scope: `agent:lease-${randomUUID()}`, capMicros: 1_000_000 }],
    size: 1_000,
    ttlMs: 60_000,
  });

  it('one caller’s short deadline fails that caller alone; the other sharing the lease gets it', async () => {
    const settled: Settlement[] = [];
    const leases = new BudgetLeases(budgets, (s) => settled.push(s), { idleMs: 60_000 });
    try {
      const key = randomUUID();
      const lease = request();
      const { freed } = await busyFor(200);
      const started = Date.now();
      // A asks first (its ALS context would have been the placement's) with 50 ms left; B joins it.
      const a = withQueryDeadline(Date.now() + 50, () => leases.obtain(key, lease)).catch((e: unknown) => e);
      const b = withQueryDeadline(Date.now() + 120_000, () => leases.obtain(key, lease));
      const failed = await a;
      expect(failed).toMatchObject({ code: 'OVERLOADED' });
      expect(Date.now() - started).toBeLessThan(190);
      expect(await b).toBe(true);
      expect(Date.now() - started).toBeGreaterThanOrEqual(190);
      expect(leases.tryLocal(key, 100, 1_000)).toBeDefined();
      await freed;
    } finally {
      leases.close();
    }
  });

  it('a refill asked for by a call already past its deadline is still placed', async () => {
    const leases = new BudgetLeases(budgets, () => undefined, { idleMs: 60_000 });
    try {
      const key = randomUUID();
      const lease = request();
      const { freed } = await busyFor(100);
      // The caller past its deadline stops waiting at once; the placement waits for the connection.
      const caller = withQueryDeadline(Date.now() - 1, () => leases.obtain(key, lease)).catch(
        (e: unknown) => e,
      );
      expect(await caller).toMatchObject({ code: 'OVERLOADED' });
      await freed;
      // Nobody asks again: the lease is there because the first placement went on.
      await waitFor(async () => leases.tryLocal(key, 100, 1_000) !== undefined, 2_000, 'the lease');
    } finally {
      leases.close();
    }
  });
});
