import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { ForgeError, parseOrThrow } from '@forge/contracts';
import { createLogger, type Logger } from '@forge/telemetry';
import { z } from 'zod';

const EmbeddedOptions = z.object({
  dataDir: z.string().min(1),
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65_535),
  maxConnections: z.number().int().min(1).max(1000).default(16),
});

export interface EmbeddedPostgresOptions {
  /** Where the database files live; created when missing, reopened when present. */
  dataDir: string;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** TCP port; 0 picks a free one (the returned url names it). Avoid 5432, a real Postgres's. */
  port: number;
  /** Connections the socket accepts at once (default 16). PGlite drops any connection over this,
   *  so it must cover the sum of every pool's `max` plus migrations. */
  maxConnections?: number;
  logger?: Logger;
}

export interface EmbeddedPostgres {
  /** `postgres://postgres@host:port/postgres`, for `createPool` and `migrate`. */
  readonly url: string;
  /** Closes the socket (rolling back an open transaction) and the database. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Postgres without a server install: PGlite (Postgres compiled to WASM) with its data in
 * `dataDir`, served over the Postgres wire protocol by pglite-socket, so `pg` and every query
 * run exactly as against a real server. It is one session shared by all connections: queries
 * run one at a time and session settings are global (see the package README). Cold start takes
 * a few seconds; reopening an existing data directory well under one.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const { logger: given, ...rest } = options;
  const opts = parseOrThrow(EmbeddedOptions, rest, 'embedded postgres options');
  const logger = (given ?? createLogger({ name: 'forge-store' })).child({ component: 'embedded-postgres' });
  // A taken port is the usual failure; find out before spending seconds on opening the database.
  if (opts.port !== 0) await assertPortFree(opts.host, opts.port);
  await mkdir(opts.dataDir, { recursive: true });
  const db = await PGlite.create({ dataDir: opts.dataDir });
  const server = new PGLiteSocketServer({
    db,
    host: opts.host,
    port: opts.port,
    maxConnections: opts.maxConnections,
  });
  server.addEventListener('error', (event) => {
    const detail = (event as CustomEvent<unknown>).detail;
    logger.warn(
      { err: { message: detail instanceof Error ? detail.message : String(detail) } },
      'socket error',
    );
  });
  try {
    await server.start();
  } catch (error) {
    await db.close().catch(() => {});
    throw cannotListen(opts.host, opts.port, error);
  }
  const port = Number(server.getServerConn().split(':').at(-1));
  const hostPart = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  const url = `postgres://postgres@${hostPart}:${port}/postgres`;
  logger.info({ host: opts.host, port, dataDir: opts.dataDir }, 'embedded postgres listening');

  let stopping: Promise<void> | undefined;
  return {
    url,
    stop() {
      stopping ??= (async () => {
        await server.stop();
        await db.close();
        logger.info({ port }, 'embedded postgres stopped');
      })();
      return stopping;
    },
  };
}

function cannotListen(host: string, port: number, cause: unknown): ForgeError {
  return new ForgeError('UNAVAILABLE', `embedded postgres cannot listen on ${host}:${port}`, { cause });
}

async function assertPortFree(host: string, port: number): Promise<void> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (error) => reject(cannotListen(host, port, error)));
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}
