import { type TestBrain, testBrain } from '@forge/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quietLogger } from '../test/fixtures.js';
import { PgConsoleSessionRepository } from './console-session-repository.js';
import { migrate } from './migrate.js';
import { createPool } from './pool.js';
import { schemaForBrain } from './schema-name.js';

const lifetimes = { idleMs: 60_000, absoluteMs: 3_600_000 };

describe('PgConsoleSessionRepository (real Postgres)', () => {
  let brain: TestBrain;
  let pool: pg.Pool;
  let repo: PgConsoleSessionRepository;
  let schema: string;

  beforeAll(async () => {
    brain = await testBrain('csess');
    schema = schemaForBrain(brain.name);
    await migrate({ databaseUrl: brain.databaseUrl, schema, logger: quietLogger() });
    pool = createPool({ connectionString: brain.databaseUrl, max: 2, logger: quietLogger() });
    repo = new PgConsoleSessionRepository(pool, schema);
  });
  afterAll(async () => {
    await pool.end();
    await brain.cleanup();
  });

  it('finds a session by its token, stores only the token hash, and ends it on delete', async () => {
    const now = new Date('2026-12-06T08:00:00Z');
    await repo.create({
      token: 'tok-a',
      operator: 'operator',
      csrfToken: 'c1',
      userAgent: 'ua',
      lifetimes,
      now,
    });
    const found = await repo.touch('tok-a', lifetimes, new Date(now.getTime() + 1000));
    expect(found).toMatchObject({ operator: 'operator', csrfToken: 'c1' });
    const { rows } = await pool.query(`select token_sha256 from ${schema}.console_sessions`);
    expect(rows.map((r) => r.token_sha256)).not.toContain('tok-a');
    expect(await repo.touch('tok-b', lifetimes, now)).toBeNull();
    expect(await repo.delete('tok-a')).toBe(true);
    expect(await repo.touch('tok-a', lifetimes, now)).toBeNull();
  });

  it('ends a session left idle, and one past its absolute lifetime even when used all along', async () => {
    const now = new Date('2026-12-06T09:00:00Z');
    await repo.create({
      token: 'idle',
      operator: 'operator',
      csrfToken: 'c',
      userAgent: null,
      lifetimes,
      now,
    });
    expect(await repo.touch('idle', lifetimes, new Date(now.getTime() + 61_000))).toBeNull();

    await repo.create({
      token: 'busy',
      operator: 'operator',
      csrfToken: 'c',
      userAgent: null,
      lifetimes,
      now,
    });
    for (let minute = 0.5; minute < 60; minute += 0.5) {
      expect(await repo.touch('busy', lifetimes, new Date(now.getTime() + minute * 60_000))).not.toBeNull();
    }
    expect(await repo.touch('busy', lifetimes, new Date(now.getTime() + 3_600_001))).toBeNull();
  });

  it('locks a name after the configured failures in a row, until the lock runs out; a success clears', async () => {
    const now = new Date('2026-12-06T10:00:00Z');
    for (let i = 1; i <= 4; i++) {
      const state = await repo.recordFailure('ops', 5, 900_000, now);
      expect(state).toEqual({ failures: i, lockedUntil: null });
    }
    const locked = await repo.recordFailure('ops', 5, 900_000, now);
    expect(locked.failures).toBe(5);
    expect(locked.lockedUntil?.toISOString()).toBe('2026-12-06T10:15:00.000Z');
    expect((await repo.throttle('ops', new Date('2026-12-06T10:14:59Z'))).lockedUntil).not.toBeNull();
    expect((await repo.throttle('ops', new Date('2026-12-06T10:15:01Z'))).lockedUntil).toBeNull();
    // After the lock ran out, the count starts again.
    expect(await repo.recordFailure('ops', 5, 900_000, new Date('2026-12-06T10:16:00Z'))).toEqual({
      failures: 1,
      lockedUntil: null,
    });
    await repo.clearFailures('ops');
    expect(await repo.throttle('ops', now)).toEqual({ failures: 0, lockedUntil: null });
  });

  it('counts attempts atomically before the check: of parallel attempts only the first N are allowed', async () => {
    const now = new Date('2026-12-06T11:00:00Z');
    const attempts = await Promise.all(
      Array.from({ length: 8 }, () => repo.countAttempt('racer', 3, 900_000, now)),
    );
    expect(attempts.map((a) => a.attempts).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(attempts.filter((a) => a.allowed)).toHaveLength(3);
    for (const a of attempts.filter((x) => x.attempts >= 3)) {
      expect(a.lockedUntil?.toISOString()).toBe('2026-12-06T11:15:00.000Z');
    }
    // Refused while locked, the lock does not move; after it ran out the count starts again.
    const during = await repo.countAttempt('racer', 3, 900_000, new Date('2026-12-06T11:10:00Z'));
    expect(during).toMatchObject({ allowed: false });
    expect(during.lockedUntil?.toISOString()).toBe('2026-12-06T11:15:00.000Z');
    expect(await repo.countAttempt('racer', 3, 900_000, new Date('2026-12-06T11:15:01Z'))).toEqual({
      attempts: 1,
      lockedUntil: null,
      allowed: true,
    });
    await repo.clearFailures('racer');
    expect((await repo.countAttempt('racer', 3, 900_000, now)).attempts).toBe(1);
  });
});
