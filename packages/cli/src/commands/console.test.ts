import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPool, migrate, PgConsoleSessionRepository, schemaForBrain } from '@forge/store';
import { createLogger } from '@forge/telemetry';
import { dropBrainSchema, testDatabaseUrl, uniqueBrain } from '@forge/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli.js';
import { memoryIo } from '../io.js';

const quiet = createLogger({ name: 'console-cmd-test', level: 'silent' });
const lifetimes = { idleMs: 3_600_000, absoluteMs: 7_200_000 };

describe('forge console reset-password (real Postgres)', () => {
  const brain = uniqueBrain('creset');
  const schema = schemaForBrain(brain);
  let pool: pg.Pool;
  let stateDir: string;

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'forge-console-reset-'));
    await migrate({ databaseUrl: testDatabaseUrl(), schema, logger: quiet });
    pool = createPool({ connectionString: testDatabaseUrl(), max: 2, logger: quiet });
  });
  afterAll(async () => {
    await pool?.end();
    await dropBrainSchema(testDatabaseUrl(), brain);
    await rm(stateDir, { recursive: true, force: true });
  });

  it('ends every console session of the brain along with the new secret', async () => {
    const sessions = new PgConsoleSessionRepository(pool, schema);
    const now = new Date();
    for (const token of ['held-by-someone', 'another-tab']) {
      await sessions.create({ token, operator: 'operator', csrfToken: 'c', userAgent: null, lifetimes, now });
    }
    expect(await sessions.touch('held-by-someone', lifetimes, now)).not.toBeNull();

    const io = memoryIo({ DATABASE_URL: testDatabaseUrl() });
    const code = await runCli(
      ['console', 'reset-password', '--brain', brain, '--state-dir', stateDir, '--json'],
      io,
    );
    expect(io.stderr).toEqual([]);
    expect(code).toBe(0);
    const out = JSON.parse(io.stdout[0]!) as { firstLoginSecret: string; sessionsEnded: number };
    expect(out.firstLoginSecret.length).toBeGreaterThan(11);
    expect(out.sessionsEnded).toBe(2);
    expect(await sessions.touch('held-by-someone', lifetimes, new Date())).toBeNull();
    expect(await sessions.touch('another-tab', lifetimes, new Date())).toBeNull();
  });
});
