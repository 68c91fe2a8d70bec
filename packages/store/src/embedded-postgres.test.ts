import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isForgeError } from '@forge/contracts';
import { afterAll, describe, expect, it } from 'vitest';
import { envelope, quietLogger, shippedMigrations } from '../test/fixtures.js';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres.js';
import { migrate } from './migrate.js';
import { PgTaskRepository } from './pg-task-repository.js';
import { createPool } from './pool.js';
import { schemaForBrain } from './schema-name.js';

// A PGlite cold start is CPU-bound WASM (initdb): ~5 s on an idle 2-core machine, several times
// that when the machine is busy. The bound is generous so load cannot fail the test.
const PGLITE_TEST_TIMEOUT_MS = 120_000;

describe('startEmbeddedPostgres (PGlite behind pglite-socket)', () => {
  let dataDir: string;
  let running: EmbeddedPostgres | undefined;

  afterAll(async () => {
    await running?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('serves migrations and the task repository over pg, and keeps the data across a restart', {
    timeout: PGLITE_TEST_TIMEOUT_MS,
  }, async () => {
    dataDir = join(await mkdtemp(join(tmpdir(), 'forge-pglite-')), 'data');
    const schema = schemaForBrain('embedded');
    const other = schemaForBrain('neighbour');
    // Port 0: the OS picks a free port and the url names it.
    running = await startEmbeddedPostgres({ dataDir, port: 0, maxConnections: 4, logger: quietLogger() });
    expect(running.url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
    expect(running.url).not.toMatch(/:0\//);

    const first = await migrate({ databaseUrl: running.url, schema, logger: quietLogger() });
    expect(first.applied).toEqual(shippedMigrations());
    expect((await migrate({ databaseUrl: running.url, schema, logger: quietLogger() })).applied).toEqual([]);
    expect(
      (await migrate({ databaseUrl: running.url, schema: other, logger: quietLogger() })).applied,
    ).toEqual(shippedMigrations());

    const env = envelope({ owner: 'pglite-owner' });
    const pool = createPool({ connectionString: running.url, max: 2, logger: quietLogger() });
    try {
      const repo = new PgTaskRepository(pool, schema);
      expect((await repo.create(env)).created).toBe(true);
      expect((await repo.create(env)).created).toBe(false);
      await repo.transition(env.id, { to: 'working', from: ['submitted'], newAttempt: true });
      await repo.transition(env.id, { to: 'completed', output: { ok: 1 } });
      // The one write that takes a row lock in a short transaction; PGlite gives it the session.
      await Promise.all([
        repo.updateA2A(env.id, { metadata: { a: 1 } }),
        repo.updateA2A(env.id, { metadata: { b: 2 } }),
      ]);
      const page = await repo.list({ owner: 'pglite-owner', pageSize: 10 });
      expect(page.records.map((r) => r.id)).toEqual([env.id]);
      // search_path is one setting for every connection here; the other brain still sees nothing.
      expect(await new PgTaskRepository(pool, other).get(env.id)).toBeNull();
      const sp = await pool.query<{ search_path: string }>('SHOW search_path');
      expect(sp.rows[0]?.search_path).not.toContain('forge_');
    } finally {
      await pool.end();
    }
    await running.stop();
    await running.stop();

    running = await startEmbeddedPostgres({ dataDir, port: 0, maxConnections: 4, logger: quietLogger() });
    expect((await migrate({ databaseUrl: running.url, schema, logger: quietLogger() })).applied).toEqual([]);
    const again = createPool({ connectionString: running.url, max: 2, logger: quietLogger() });
    try {
      const stored = await new PgTaskRepository(again, schema).get(env.id);
      expect(stored).toMatchObject({ state: 'completed', seq: 2, attempt: 1, output: { ok: 1 } });
      expect(stored?.a2a.metadata).toEqual({ a: 1, b: 2 });
    } finally {
      await again.end();
    }
  });

  it('fails with UNAVAILABLE when the port is taken', async () => {
    const port = Number(new URL(running!.url).port);
    const second = join(dataDir, '..', 'second');
    const error = await startEmbeddedPostgres({
      dataDir: second,
      port,
      logger: quietLogger(),
    }).catch((e: unknown) => e);
    expect(isForgeError(error, 'UNAVAILABLE')).toBe(true);
    expect(existsSync(second)).toBe(false);
  });
});
