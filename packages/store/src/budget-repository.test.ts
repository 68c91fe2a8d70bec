import { randomUUID } from 'node:crypto';
import { isForgeError } from '@forge/contracts';
import { type TestBrain, testBrain } from '@forge/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quietLogger } from '../test/fixtures.js';
import { budgetPeriod, PgBudgetRepository } from './budget-repository.js';
import { migrate } from './migrate.js';
import { createPool } from './pool.js';
import { schemaForBrain } from './schema-name.js';

let brain: TestBrain;
let pools: pg.Pool[];
let a: PgBudgetRepository;
let b: PgBudgetRepository;

beforeAll(async () => {
  brain = await testBrain('budget');
  const schema = schemaForBrain(brain.name);
  await migrate({ databaseUrl: brain.databaseUrl, schema, logger: quietLogger() });
  // Two pools stand for two router replicas: admissions race over separate connections.
  pools = [0, 1].map(() =>
    createPool({ connectionString: brain.databaseUrl, max: 8, logger: quietLogger() }),
  );
  a = new PgBudgetRepository(pools[0]!, schema);
  b = new PgBudgetRepository(pools[1]!, schema);
});

afterAll(async () => {
  await Promise.all((pools ?? []).map((pool) => pool.end()));
  await brain?.cleanup();
});

/** A scope name of this test's own, so tests sharing the schema never share money. */
function scope(name: string): string {
  return `agent:${name}-${randomUUID().slice(0, 8)}`;
}

describe('PgBudgetRepository', () => {
  it('admits at most k of 100 concurrent calls against a cap worth k, across two replicas', async () => {
    const month = scope('month');
    const period = budgetPeriod();
    const k = 7;
    const price = 1_234;
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        (i % 2 === 0 ? a : b).admit({
          reservationId: randomUUID(),
          period,
          scopes: [
            { scope: month, capMicros: k * price + price - 1 },
            { scope: `tier:small-${month}`, capMicros: null },
          ],
          amountMicros: price,
          ttlMs: 60_000,
        }),
      ),
    );
    expect(results.filter((r) => r.admitted)).toHaveLength(k);
    const refused = results.find((r) => !r.admitted);
    expect(refused).toMatchObject({ admitted: false, scope: month, capMicros: k * price + price - 1 });
    const usage = await a.usage(period, [month]);
    expect(usage.get(month)).toEqual({ spentMicros: 0, reservedMicros: k * price });
  });

  it('settles to the actual cost once, releasing the rest of the hold', async () => {
    const s = scope('settle');
    const period = budgetPeriod();
    const id = randomUUID();
    const admitted = await a.admit({
      reservationId: id,
      period,
      scopes: [{ scope: s, capMicros: 1_000 }],
      amountMicros: 900,
      ttlMs: 60_000,
    });
    expect(admitted).toEqual({ admitted: true });
    const blocked = await b.admit({
      reservationId: randomUUID(),
      period,
      scopes: [{ scope: s, capMicros: 1_000 }],
      amountMicros: 200,
      ttlMs: 60_000,
    });
    expect(blocked).toEqual({
      admitted: false,
      scope: s,
      spentMicros: 0,
      reservedMicros: 900,
      capMicros: 1_000,
    });
    expect(await b.settle([{ reservationId: id, actualMicros: 321 }])).toBe(1);
    // A replayed settlement adds nothing.
    expect(await a.settle([{ reservationId: id, actualMicros: 321 }])).toBe(0);
    expect((await a.usage(period, [s])).get(s)).toEqual({ spentMicros: 321, reservedMicros: 0 });
    const now = await b.admit({
      reservationId: randomUUID(),
      period,
      scopes: [{ scope: s, capMicros: 1_000 }],
      amountMicros: 200,
      ttlMs: 60_000,
    });
    expect(now.admitted).toBe(true);
  });

  it('consumes a lease: spend grows and the hold shrinks by as much, counted once; release deletes it', async () => {
    const s = scope('lease');
    const period = budgetPeriod();
    const lease = randomUUID();
    expect(
      await a.admit({
        reservationId: lease,
        period,
        scopes: [{ scope: s, capMicros: 1_000 }],
        amountMicros: 600,
        ttlMs: 60_000,
      }),
    ).toEqual({ admitted: true });
    // A call under the lease settles: its cost moves from the hold into spend.
    const first = { reservationId: lease, actualMicros: 150, keep: true, consumeId: randomUUID() };
    expect(await a.settle([first])).toBe(1);
    expect((await a.usage(period, [s])).get(s)).toEqual({ spentMicros: 150, reservedMicros: 450 });
    // The same batch again (a write retried after its commit's answer was lost) adds nothing.
    await b.settle([first]);
    expect((await a.usage(period, [s])).get(s)).toEqual({ spentMicros: 150, reservedMicros: 450 });
    // The lease's money is still counted once: 150 spent + 450 held + 401 > 1000.
    const over = await b.admit({
      reservationId: randomUUID(),
      period,
      scopes: [{ scope: s, capMicros: 1_000 }],
      amountMicros: 401,
      ttlMs: 60_000,
    });
    expect(over).toMatchObject({ admitted: false, spentMicros: 150, reservedMicros: 450 });
    // A call that cost more than what is left of the lease: spend takes it all, the hold stops at 0.
    await a.settle([{ reservationId: lease, actualMicros: 500, keep: true, consumeId: randomUUID() }]);
    expect((await a.usage(period, [s])).get(s)).toEqual({ spentMicros: 650, reservedMicros: 0 });
    // A last call and the release in one batch: counted, then the hold is gone for good.
    await a.settle([
      { reservationId: lease, actualMicros: 10, keep: true, consumeId: randomUUID() },
      { reservationId: lease, actualMicros: 0 },
    ]);
    expect((await a.usage(period, [s])).get(s)).toEqual({ spentMicros: 660, reservedMicros: 0 });
    expect(await a.settle([{ reservationId: lease, actualMicros: 10, keep: true }])).toBe(0);
    expect((await a.usage(period, [s])).get(s)?.spentMicros).toBe(660);
  });

  it('stops counting an expired hold without any sweep', async () => {
    const s = scope('expiry');
    const period = budgetPeriod();
    await a.admit({
      reservationId: randomUUID(),
      period,
      scopes: [{ scope: s, capMicros: 100 }],
      amountMicros: 100,
      ttlMs: 1,
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await a.usage(period, [s])).get(s)).toEqual({ spentMicros: 0, reservedMicros: 0 });
    const next = await a.admit({
      reservationId: randomUUID(),
      period,
      scopes: [{ scope: s, capMicros: 100 }],
      amountMicros: 100,
      ttlMs: 60_000,
    });
    expect(next.admitted).toBe(true);
  });

  it('places no hold on any scope when one scope has no room', async () => {
    const roomy = scope('roomy');
    const full = scope('full');
    const period = budgetPeriod();
    const result = await a.admit({
      reservationId: randomUUID(),
      period,
      scopes: [
        { scope: roomy, capMicros: 1_000_000 },
        { scope: full, capMicros: 10 },
      ],
      amountMicros: 50,
      ttlMs: 60_000,
    });
    expect(result).toMatchObject({ admitted: false, scope: full });
    const usage = await a.usage(period, [roomy, full]);
    expect(usage.get(roomy)?.reservedMicros).toBe(0);
    expect(usage.get(full)?.reservedMicros).toBe(0);
  });

  it('keeps months apart', async () => {
    const s = scope('months');
    await a.admit({
      reservationId: randomUUID(),
      period: '2026-01',
      scopes: [{ scope: s, capMicros: 100 }],
      amountMicros: 100,
      ttlMs: 60_000,
    });
    const next = await a.admit({
      reservationId: randomUUID(),
      period: '2026-02',
      scopes: [{ scope: s, capMicros: 100 }],
      amountMicros: 100,
      ttlMs: 60_000,
    });
    expect(next.admitted).toBe(true);
  });

  it('refuses malformed requests naming the field', async () => {
    const error = await a
      .admit({ reservationId: 'nope', period: '2026-13', scopes: [], amountMicros: -1, ttlMs: 0 })
      .catch((e: unknown) => e);
    expect(isForgeError(error, 'BAD_INPUT')).toBe(true);
    expect(String((error as Error).message)).toMatch(/reservationId/);
    expect(String((error as Error).message)).toMatch(/period/);
    expect(String((error as Error).message)).toMatch(/amountMicros/);
  });
});
