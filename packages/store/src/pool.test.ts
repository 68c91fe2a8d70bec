import { type AddressInfo, createServer, type Socket } from 'node:net';
import { isForgeError } from '@forge/contracts';
import { testDatabaseUrl } from '@forge/testkit';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { capturingLogger, waitFor } from '../test/fixtures.js';
import { withPgErrors } from './pg-errors.js';
import { createPool } from './pool.js';
import { withQueryDeadline } from './query-deadline.js';
import { queryNamedOnce } from './stale-statement.js';

/** Ends a backend from outside, as a server restart or an admin would. */
async function terminate(pid: number): Promise<void> {
  const admin = new pg.Client({ connectionString: testDatabaseUrl() });
  await admin.connect();
  try {
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
  } finally {
    await admin.end();
  }
}

describe('createPool', () => {
  const pools: pg.Pool[] = [];
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.end()));
  });

  it('names its connections with application_name', async () => {
    const pool = createPool({ connectionString: testDatabaseUrl(), applicationName: 'forge-pool-test' });
    pools.push(pool);
    const { rows } = await pool.query<{ name: string }>(`SELECT current_setting('application_name') AS name`);
    expect(rows[0]?.name).toBe('forge-pool-test');
  });

  it('survives an idle connection being killed: logs it and serves the next query', async () => {
    const { logger, lines } = capturingLogger();
    const pool = createPool({ connectionString: testDatabaseUrl(), max: 1, logger });
    pools.push(pool);
    const { rows } = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    await terminate(rows[0]!.pid);
    await waitFor(() => lines.some((l) => l.msg === 'postgres connection lost'), 5_000, 'the error log line');
    const after = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    expect(after.rows[0]?.pid).not.toBe(rows[0]?.pid);
  });

  it('survives a checked-out connection being killed between queries', async () => {
    const { logger, lines } = capturingLogger();
    const pool = createPool({ connectionString: testDatabaseUrl(), max: 1, logger });
    pools.push(pool);
    const client = await pool.connect();
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    await terminate(rows[0]!.pid);
    await waitFor(() => lines.some((l) => l.msg === 'postgres connection lost'), 5_000, 'the error log line');
    await expect(client.query('SELECT 1')).rejects.toThrow();
    client.release(true);
    expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one).toBe(1);
  });

  it('answers a pool that stays full for its whole wait as OVERLOADED, not as an outage', async () => {
    const pool = createPool({ connectionString: testDatabaseUrl(), max: 1, connectionTimeoutMs: 50 });
    pools.push(pool);
    const held = await pool.connect();
    try {
      const error = await withPgErrors('budget admission', () => pool.query('SELECT 1')).catch(
        (e: unknown) => e,
      );
      expect(isForgeError(error, 'OVERLOADED')).toBe(true);
      expect(error).toMatchObject({ retryable: true });
      expect((error as Error).message).toMatch(/^budget admission: every database connection stayed busy/);
      expect(error).toMatchObject({ details: { reason: 'database' } });
    } finally {
      held.release();
    }
    expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one).toBe(1);
  });

  it('answers a pool whose connections are still being opened (the server hangs) as UNAVAILABLE, not OVERLOADED', async () => {
    // A server that accepts the TCP connection and never answers Postgres's start-up, as a hung
    // or restarting Postgres does.
    const sockets = new Set<Socket>();
    const hung = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    const { port } = hung.address() as AddressInfo;
    const pool = createPool({
      connectionString: `postgres://forge@127.0.0.1:${port}/forge`,
      max: 1,
      connectionTimeoutMs: 300,
    });
    try {
      const ask = () =>
        withPgErrors('budget admission', () => pool.query('SELECT 1')).catch((e: unknown) => e);
      // The first opens the pool's only connection; the second waits for the pool meanwhile.
      const [opening, waiting] = await Promise.all([ask(), ask()]);
      expect(opening).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
      expect(waiting).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
      expect((waiting as Error).message).toMatch(/^budget admission: postgres did not accept a connection/);
      // A call's deadline that ends the wait says the same.
      const bounded = await withQueryDeadline(Date.now() + 100, () =>
        queryNamedOnce(pool, { name: 'hung_one', text: 'SELECT 1' }),
      ).catch((e: unknown) => e);
      expect(bounded).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
    } finally {
      for (const socket of sockets) socket.destroy();
      await pool.end().catch(() => undefined);
      await new Promise((resolve) => hung.close(resolve));
    }
  });

  it('validates its options without echoing the connection string', () => {
    const secret = 'postgres://u:hunter2@[bad';
    const error = (() => {
      try {
        createPool({ connectionString: secret });
      } catch (e) {
        return e;
      }
    })();
    expect(isForgeError(error, 'BAD_INPUT')).toBe(true);
    expect((error as Error).message).toMatch(/connectionString/);
    expect((error as Error).message).not.toContain('hunter2');
    expect(() => createPool({ connectionString: testDatabaseUrl(), max: 0 })).toThrow(/max/);
  });
});
