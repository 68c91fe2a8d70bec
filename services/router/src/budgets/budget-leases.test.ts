import { randomUUID } from 'node:crypto';
import type { Settlement } from '@forge/store';
import { describe, expect, it } from 'vitest';
import { MemoryBudgets } from '../../test/memory-budgets.js';
import { BudgetLeases } from './budget-leases.js';

const SCOPES = [{ scope: 'agent:lease', capMicros: 10_000 }];
const PERIOD = '2026-11';

function leases() {
  const budgets = new MemoryBudgets();
  const settled: Settlement[] = [];
  const pool = new BudgetLeases(budgets, (s) => settled.push(s), { idleMs: 60_000 });
  return { budgets, settled, pool };
}

describe('BudgetLeases', () => {
  it('sizes a lease for many calls but a small share of the tightest cap, or not at all', () => {
    const { pool } = leases();
    expect(pool.sizeFor(10, [{ scope: 'month', capMicros: null }])).toBe(320);
    expect(pool.sizeFor(10, SCOPES)).toBe(320);
    // 10 000 / 20 = 500 caps it.
    expect(pool.sizeFor(100, SCOPES)).toBe(500);
    // Not even two calls' worth: no lease, reserve call by call.
    expect(pool.sizeFor(300, SCOPES)).toBeNull();
    pool.close();
  });

  it('admits in memory exactly what the lease holds, and what settling frees', async () => {
    const { budgets, settled, pool } = leases();
    const key = randomUUID();
    expect(await pool.obtain(key, { period: PERIOD, scopes: SCOPES, size: 300, ttlMs: 60_000 })).toBe(true);
    const calls = [0, 1, 2, 3].map(() => pool.tryLocal(key, 100, 1_000));
    expect(calls.map((c) => c !== undefined)).toEqual([true, true, true, false]);
    // A call that cost 40 of its 100 gives 60 back: not yet room for another 100.
    pool.settle(calls[0]!, 100, 40, randomUUID());
    expect(pool.tryLocal(key, 100, 1_000)).toBeUndefined();
    pool.settle(calls[1]!, 100, 50, randomUUID());
    const next = pool.tryLocal(key, 100, 1_000);
    expect(next).toBeDefined();
    expect(budgets.admits).toBe(1);
    expect(settled.map((s) => [s.actualMicros, s.keep])).toEqual([
      [40, true],
      [50, true],
    ]);
    pool.close();
    // Calls still running keep the lease until they settle; then it is released.
    expect(settled.at(-1)?.keep).toBe(true);
    pool.settle(calls[2]!, 100, 100, randomUUID());
    pool.settle(next!, 100, 0, randomUUID());
    expect(settled.at(-1)).toMatchObject({ actualMicros: 0 });
    expect(settled.at(-1)?.keep).toBeUndefined();
  });

  it('never starts a call under a lease that could expire before the call ends', async () => {
    const { pool } = leases();
    const key = randomUUID();
    await pool.obtain(key, { period: PERIOD, scopes: SCOPES, size: 300, ttlMs: 20_000 });
    // 20 s lease, 5 s margin: a call needing 16 s of hold no longer fits.
    expect(pool.tryLocal(key, 10, 14_000)).toBeDefined();
    expect(pool.tryLocal(key, 10, 16_000)).toBeUndefined();
    pool.close();
  });

  it('places one lease for a burst of calls asking at once, and backs off after a refusal', async () => {
    const { budgets, pool } = leases();
    const key = randomUUID();
    const asks = await Promise.all(
      Array.from({ length: 10 }, () =>
        pool.obtain(key, { period: PERIOD, scopes: SCOPES, size: 300, ttlMs: 60_000 }),
      ),
    );
    expect(asks.every(Boolean)).toBe(true);
    expect(budgets.admits).toBe(1);
    const big = randomUUID();
    expect(await pool.obtain(big, { period: PERIOD, scopes: SCOPES, size: 20_000, ttlMs: 60_000 })).toBe(
      false,
    );
    expect(pool.refusedRecently(big)).toBe(true);
    pool.close();
  });
});
