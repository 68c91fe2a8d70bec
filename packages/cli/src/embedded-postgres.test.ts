import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPool, migrate, schemaForBrain } from '@forge/store';
import { createLogger } from '@forge/telemetry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quietPostgresLines } from './embedded-postgres.js';
import { isPortFree } from './ports.js';
import { type PostgresHandle, probePostgres, startEmbeddedPostgres } from './postgres.js';
import type { SupervisorEvent, SupervisorHooks } from './supervised-process.js';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// initdb and a first start take a second or two on an idle machine; far more on a busy one.
const START_TIMEOUT_MS = 120_000;

function recordingSupervisor(): SupervisorHooks & { events: SupervisorEvent[]; lines: string[] } {
  const events: SupervisorEvent[] = [];
  const lines: string[] = [];
  return {
    events,
    lines,
    policy: { initialDelayMs: 200, maxDelayMs: 2_000, maxCrashes: 5, windowMs: 60_000 },
    onLine: (name, line) => lines.push(`${name} | ${line}`),
    onEvent: (event) => events.push(event),
  };
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

describe('the embedded Postgres of forge up (real PostgreSQL from npm, supervised)', () => {
  // mkdtemp makes a mode-700 folder: as root, forge up must still let the postgres account in.
  let stateDir: string;
  let port: number;
  let pg: PostgresHandle | undefined;
  const supervisor = recordingSupervisor();
  const said: string[] = [];
  const start = () =>
    startEmbeddedPostgres({
      stateDir,
      dataDir: join(stateDir, 'brain', 'pgdata'),
      port,
      maxConnections: 100,
      quiet: false,
      say: (text) => said.push(text),
      timeoutMs: START_TIMEOUT_MS,
      supervisor,
    });

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'forge-embedded-pg-'));
    port = await freePort();
    // What an older Forge left: a PGlite (Postgres 17) data folder where the new one goes.
    await mkdir(join(stateDir, 'brain', 'pgdata'), { recursive: true });
    await writeFile(join(stateDir, 'brain', 'pgdata', 'PG_VERSION'), '17\n');
    pg = await start();
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    await pg?.stop();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  it('creates the database on the first start, keeping an older version data folder aside', async () => {
    expect(pg!.url).toBe(`postgres://postgres@127.0.0.1:${port}/postgres`);
    expect(pg!.embedded).toBe(true);
    expect(said.some((line) => line.startsWith('created the embedded database in'))).toBe(true);
    expect(said.some((line) => /is from Postgres 17.*kept as/.test(line))).toBe(true);
    const kept = (await readdir(join(stateDir, 'brain'))).filter((name) => name.startsWith('pgdata.pg17-'));
    expect(kept).toHaveLength(1);
    const { rows } = await query(pg!.url, 'show server_version_num');
    expect(Number(rows[0]!.server_version_num)).toBeGreaterThanOrEqual(180_000);
    if (process.getuid?.() === 0) {
      // Postgres refuses root: it runs as the postgres account, which owns the data.
      expect((await query(pg!.url, 'select current_user')).rows[0]!.current_user).toBe('postgres');
      expect((await stat(pg!.dataDir!)).uid).not.toBe(0);
    }
  });

  it('serves many connections at once, each with its own session (no crossed statements)', async () => {
    const logger = createLogger({ name: 'embedded-pg-test', level: 'silent' });
    const schema = schemaForBrain('embeddedpgtest');
    await migrate({ databaseUrl: pg!.url, schema, logger });
    const pool = createPool({ connectionString: pg!.url, max: 40, logger });
    try {
      // Named prepared statements with different parameter counts, from 40 connections at once:
      // PGlite's shared session answered such traffic with 08P01 and 42P05.
      const results = await Promise.all(
        Array.from({ length: 400 }, (_, i) =>
          i % 2 === 0
            ? pool.query({ name: 'two', text: 'select $1::int + $2::int as v', values: [i, 1] })
            : pool.query({
                name: 'three',
                text: 'select $1::int + $2::int + $3::int as v',
                values: [i, 1, 1],
              }),
        ),
      );
      expect(results.map((result) => result.rows[0].v)).toEqual(
        Array.from({ length: 400 }, (_, i) => (i % 2 === 0 ? i + 1 : i + 2)),
      );
      // search_path is per session on a real server.
      const client = await pool.connect();
      try {
        await client.query(`set search_path to "${schema}"`);
        expect((await pool.query('show search_path')).rows[0].search_path).not.toContain(schema);
      } finally {
        client.release(true);
      }
    } finally {
      await pool.end();
    }
  });

  it('is started again when killed, with the data it had committed', {
    timeout: START_TIMEOUT_MS,
  }, async () => {
    await query(pg!.url, 'create table if not exists kept (v int)');
    await query(pg!.url, 'insert into kept values (42)');
    // Connections held open across the kill: their backends outlive the postmaster for a while,
    // holding its shared memory, and must not cost a second crash.
    const { default: pgLib } = await import('pg');
    const held = await Promise.all(
      [1, 2, 3].map(async () => {
        const client = new pgLib.Client({ connectionString: pg!.url });
        client.on('error', () => {});
        await client.connect();
        return client;
      }),
    );
    const first = pg!.pid!;
    process.kill(first, 'SIGKILL');
    const back = await waitUntil(async () => {
      if (pg!.pid === null || pg!.pid === first) return false;
      await probePostgres(pg!.url, 1_000);
      return true;
    }, START_TIMEOUT_MS - 10_000);
    expect(back, supervisor.lines.slice(-20).join('\n')).toBe(true);
    expect(supervisor.events).toContainEqual(
      expect.objectContaining({ kind: 'crashed', name: 'postgres', signal: 'SIGKILL', crashes: 1 }),
    );
    expect((await query(pg!.url, 'select v from kept')).rows).toEqual([{ v: 42 }]);
    expect(supervisor.events.filter((event) => event.kind === 'crashed')).toHaveLength(1);
    await Promise.all(held.map((client) => client.end().catch(() => {})));
  });

  it('stops with a fast shutdown and frees its port; the next start reopens the same data', {
    timeout: START_TIMEOUT_MS,
  }, async () => {
    await pg!.stop();
    expect(await isPortFree(port)).toBe(true);
    said.length = 0;
    pg = await start();
    expect(said.some((line) => line.startsWith('created'))).toBe(false);
    expect((await query(pg.url, 'select v from kept')).rows).toEqual([{ v: 42 }]);
    expect(existsSync(join(pg.dataDir!, 'postmaster.pid'))).toBe(true);
  });
});

async function query(url: string, text: string): Promise<{ rows: Record<string, unknown>[] }> {
  const { default: pgLib } = await import('pg');
  const client = new pgLib.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

describe('the embedded Postgres log at quiet levels', () => {
  it('drops LOG messages and their continuation lines, keeps warnings, errors and fatals', () => {
    const keep = quietPostgresLines();
    const lines = [
      '[10] LOG:  database system is ready to accept connections',
      '[11] WARNING:  could not flush dirty data',
      '[11] DETAIL:  the disk is slow',
      '[12] LOG:  checkpoint complete',
      '[12] DETAIL:  wrote 3 buffers',
      '[13] ERROR:  relation "x" does not exist',
      '[13] STATEMENT:  select * from x',
      'a line of its own',
      '[14] FATAL:  terminating connection due to administrator command',
    ];
    expect(lines.filter(keep)).toEqual([
      '[11] WARNING:  could not flush dirty data',
      '[11] DETAIL:  the disk is slow',
      '[13] ERROR:  relation "x" does not exist',
      '[13] STATEMENT:  select * from x',
      'a line of its own',
      '[14] FATAL:  terminating connection due to administrator command',
    ]);
  });
});
