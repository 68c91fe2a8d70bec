import { isForgeError } from '@forge/contracts';
import { type TestBrain, testBrain } from '@forge/testkit';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { envelope, quietLogger, shippedMigrations } from '../test/fixtures.js';
import { MIGRATIONS_DIR, migrate, splitSections } from './migrate.js';
import { PgTaskRepository } from './pg-task-repository.js';
import { createPool } from './pool.js';
import { schemaForBrain } from './schema-name.js';

const ALL = shippedMigrations();

async function tablesIn(databaseUrl: string, schema: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
      [schema],
    );
    return rows.map((r) => r.table_name);
  } finally {
    await client.end();
  }
}

describe('migrate', () => {
  const brains: TestBrain[] = [];
  afterEach(async () => {
    await Promise.all(brains.splice(0).map((b) => b.cleanup()));
  });
  async function brain(): Promise<{ url: string; schema: string }> {
    const b = await testBrain('mig');
    brains.push(b);
    return { url: b.databaseUrl, schema: schemaForBrain(b.name) };
  }

  it('ships its migration files where the module resolves them', () => {
    expect(MIGRATIONS_DIR).toMatch(/packages[/\\]store[/\\]migrations$/);
    expect(ALL.slice(0, 2)).toEqual(['0001_create-tasks', '0002_create-skills']);
  });

  it('creates the schema and its tables, and a second run applies nothing', async () => {
    const { url, schema } = await brain();
    expect(await migrate({ databaseUrl: url, schema, logger: quietLogger() })).toEqual({ applied: ALL });
    const tables = await tablesIn(url, schema);
    expect(tables).toEqual(expect.arrayContaining(['forge_migrations', 'skills', 'tasks']));
    expect(await tablesIn(url, 'public')).not.toContain('forge_migrations');
    expect(await migrate({ databaseUrl: url, schema, logger: quietLogger() })).toEqual({ applied: [] });
    expect(await tablesIn(url, schema)).toEqual(tables);
  });

  it('lets replicas of one brain migrate at once: one applies, the other finds nothing to do', async () => {
    const { url, schema } = await brain();
    const results = await Promise.all([
      migrate({ databaseUrl: url, schema, logger: quietLogger() }),
      migrate({ databaseUrl: url, schema, logger: quietLogger() }),
    ]);
    expect(results.map((r) => r.applied).sort()).toEqual([[], ALL]);
  });

  it('keeps two brains in one database apart', async () => {
    const a = await brain();
    const b = await brain();
    await Promise.all([
      migrate({ databaseUrl: a.url, schema: a.schema, logger: quietLogger() }),
      migrate({ databaseUrl: b.url, schema: b.schema, logger: quietLogger() }),
    ]);
    const pool = createPool({ connectionString: a.url, max: 2, logger: quietLogger() });
    try {
      const repoA = new PgTaskRepository(pool, a.schema);
      const repoB = new PgTaskRepository(pool, b.schema);
      const env = envelope({ owner: 'shared-owner' });
      await repoA.create(env);
      expect(await repoB.get(env.id)).toBeNull();
      expect((await repoB.list({ owner: 'shared-owner', pageSize: 10 })).totalSize).toBe(0);
      // Each brain has its own uniqueness: the same key and id are free in the other brain.
      const inB = await repoB.create(env);
      expect(inB.created).toBe(true);
      await repoB.transition(env.id, { to: 'working' });
      expect((await repoA.get(env.id))?.state).toBe('submitted');
    } finally {
      await pool.end();
    }
  });

  it('refuses a schema name that could break out of its quotes', async () => {
    const { url } = await brain();
    const error = await migrate({
      databaseUrl: url,
      schema: 'x"; DROP TABLE y; --',
      logger: quietLogger(),
    }).catch((e: unknown) => e);
    expect(isForgeError(error, 'BAD_INPUT')).toBe(true);
    expect((error as Error).message).toMatch(/^schema:/);
  });

  it('fails with UNAVAILABLE, not a hang, when the database is unreachable', async () => {
    const error = await migrate({
      databaseUrl: 'postgres://postgres@127.0.0.1:1/test',
      schema: 'forge_unreachable',
      logger: quietLogger(),
    }).catch((e: unknown) => e);
    expect(isForgeError(error, 'UNAVAILABLE')).toBe(true);
  });
});

describe('splitSections', () => {
  it('splits at the markers', () => {
    const { up, down } = splitSections(
      '-- Up Migration\nCREATE TABLE a();\n-- Down Migration\nDROP TABLE a;\n',
      'f',
    );
    expect(up).toContain('CREATE TABLE a();');
    expect(up).not.toContain('DROP');
    expect(down).toContain('DROP TABLE a;');
  });
  it('needs an up section first', () => {
    expect(() => splitSections('CREATE TABLE a();', 'f.sql')).toThrow(/f\.sql/);
    expect(() => splitSections('-- Down Migration\nx;\n-- Up Migration\ny;', 'f.sql')).toThrow(/follow/);
  });
});
