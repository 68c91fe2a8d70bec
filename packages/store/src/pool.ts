import { parseOrThrow } from '@forge/contracts';
import { createLogger, type Logger, redactUrl } from '@forge/telemetry';
import pg from 'pg';
import { z } from 'zod';
import { markIfOpening, trackConnections } from './pool-connecting.js';

const PoolOptions = z.object({
  connectionString: z.string().refine((value) => URL.canParse(value), 'must be a postgres:// URL'),
  max: z.number().int().min(1).max(200).default(10),
  applicationName: z.string().min(1).max(63).default('forge'),
  connectionTimeoutMs: z.number().int().min(1).max(600_000).default(10_000),
  idleTimeoutMs: z.number().int().min(0).max(3_600_000).default(30_000),
});

export interface CreatePoolOptions {
  /** `postgres://user@host:port/db`; never logged with its password. */
  connectionString: string;
  /** Most connections the pool opens (default 10). The sum over all pools must stay within the
   *  server's `max_connections` (forge up sizes its embedded Postgres for it). */
  max?: number;
  /** Sent as `application_name` so `pg_stat_activity` shows which service holds a connection. */
  applicationName?: string;
  /** How long a query waits for a free connection before failing (default 10 000 ms). */
  connectionTimeoutMs?: number;
  /** How long an idle connection stays open (default 30 000 ms). */
  idleTimeoutMs?: number;
  logger?: Logger;
}

/**
 * A `pg.Pool` that cannot crash its process with a connection error: an idle client whose server
 * goes away, or a checked-out client that loses its socket between queries, is logged and
 * discarded; the next query opens a new connection. A wait for a connection that times out while
 * the pool's connections are still being opened (the server hangs) is marked so, and answered
 * UNAVAILABLE rather than OVERLOADED (see pg-errors). The caller owns the pool and ends it.
 */
export function createPool(options: CreatePoolOptions): pg.Pool {
  const { logger: given, ...rest } = options;
  const opts = parseOrThrow(PoolOptions, rest, 'pool options');
  const logger = (given ?? createLogger({ name: 'forge-store' })).child({
    component: 'pg-pool',
    application: opts.applicationName,
    database: redactUrl(opts.connectionString),
  });
  const pool = new pg.Pool({
    connectionString: opts.connectionString,
    max: opts.max,
    application_name: opts.applicationName,
    connectionTimeoutMillis: opts.connectionTimeoutMs,
    idleTimeoutMillis: opts.idleTimeoutMs,
  });
  // pg-pool listens for errors only on idle clients; a client that is checked out and between
  // queries has no listener, and an 'error' event without one throws. One listener per client,
  // for its whole life, covers both cases and logs each failure once.
  pool.on('connect', (client) => {
    client.on('error', (error: Error & { code?: string }) => {
      logger.warn({ err: { message: error.message, code: error.code } }, 'postgres connection lost');
    });
  });
  // Required: pg-pool re-emits idle-client errors here, and an unheard 'error' would crash the
  // process. The client listener above has already logged it.
  pool.on('error', () => {});
  // A wait for a connection that ends while the pool's connections are still being opened is
  // marked so (both forms of connect: pool.query uses the callback one), for pg-errors to tell
  // a server slow to accept (UNAVAILABLE) from a pool busy with work (OVERLOADED).
  trackConnections(pool);
  const connect = pool.connect.bind(pool);
  pool.connect = ((
    callback?: (err: Error | undefined, client?: pg.PoolClient, done?: (release?: unknown) => void) => void,
  ) => {
    if (callback) {
      return connect((err, client, done) =>
        callback(err ? (markIfOpening(pool, err) as Error) : err, client, done),
      );
    }
    return connect().catch((error: unknown) => {
      throw markIfOpening(pool, error);
    });
  }) as typeof pool.connect;
  return pool;
}
