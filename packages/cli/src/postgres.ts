import { type ChildProcess, fork } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ForgeError } from '@forge/contracts';
import { createLogger } from '@forge/telemetry';
import pg from 'pg';
import { stopChild } from './child-process.js';
import { PgHostMessage } from './pg-host-protocol.js';

/** Postgres as `forge up` uses it: the URL the services get, and a stop for the embedded host. */
export interface PostgresHandle {
  readonly url: string;
  readonly embedded: boolean;
  /** The embedded host's process, reported apart from the services. */
  readonly process: ChildProcess | null;
  stop(): Promise<void>;
}

/**
 * A Postgres URL safe to print and store: the password (in the authority or a `password`
 * query parameter) masked, the user name kept so the URL still says who connects.
 */
export function redactPostgresUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    if (parsed.searchParams.has('password')) parsed.searchParams.set('password', '***');
    return parsed.toString();
  } catch {
    return '[unparseable url]';
  }
}

/**
 * Connects once and runs `select 1`; throws UNAVAILABLE naming the URL with its credentials
 * masked, so the line is safe to print.
 */
export async function probePostgres(url: string, timeoutMs = 3_000): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  // A socket error after connect must not crash the CLI; the query below reports it.
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ForgeError('UNAVAILABLE', `cannot reach Postgres at ${redactPostgresUrl(url)} (${reason})`, {
      cause: error,
    });
  } finally {
    await client.end().catch(() => {});
  }
}

/** Uses the Postgres at `DATABASE_URL` after checking it answers. */
export async function externalPostgres(url: string): Promise<PostgresHandle> {
  await probePostgres(url);
  return { url, embedded: false, process: null, stop: async () => {} };
}

/** The compiled host entry; from `src/` (tests) this also points at `dist/`. */
function pgHostEntry(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'pg-host.js');
}

/**
 * Starts the embedded Postgres (PGlite behind a Postgres wire socket) in a process of its own,
 * so its memory is apart from the services'. The host stops when it gets SIGTERM or when
 * `forge up` goes away (the IPC channel closes). Resolves once it accepts connections.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  maxConnections: number;
  timeoutMs?: number;
  onOutput?: (child: ChildProcess) => void;
}): Promise<PostgresHandle> {
  await mkdir(opts.dataDir, { recursive: true });
  const child = fork(pgHostEntry(), [], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: {
      ...process.env,
      FORGE_PG_DATA_DIR: opts.dataDir,
      FORGE_PG_HOST: '127.0.0.1',
      FORGE_PG_PORT: String(opts.port),
      FORGE_PG_MAX_CONNECTIONS: String(opts.maxConnections),
    },
  });
  opts.onOutput?.(child);
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(
      () => fail(`did not start within ${Math.round((opts.timeoutMs ?? 30_000) / 1000)}s`),
      opts.timeoutMs ?? 30_000,
    );
    const fail = (reason: string) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      reject(new ForgeError('UNAVAILABLE', `embedded Postgres on port ${opts.port} ${reason}`));
    };
    const onMessage = (raw: unknown) => {
      const message = PgHostMessage.safeParse(raw);
      if (!message.success) return;
      if (message.data.type === 'error') return fail(`failed: ${message.data.message}`);
      clearTimeout(timer);
      child.off('exit', onExit);
      resolveUrl(message.data.url);
    };
    const onExit = (code: number | null) => fail(`exited (code ${code}) before it was ready`);
    child.on('message', onMessage);
    child.once('exit', onExit);
  }).catch(async (error: unknown) => {
    await stopChild(child, 2_000);
    throw error;
  });
  return {
    url,
    embedded: true,
    process: child,
    stop: async () => {
      await stopChild(child, 10_000);
    },
  };
}

let storeModule: Promise<typeof import('@forge/store')> | undefined;

/**
 * Starts loading `@forge/store` (node-pg-migrate and friends) without waiting, so `forge up` can
 * load it while the embedded Postgres starts rather than after. Loaded on demand at all so
 * `status` and `send` never pay for it.
 */
export function preloadStore(): Promise<typeof import('@forge/store')> {
  storeModule ??= import('@forge/store');
  return storeModule;
}

/** Runs the migrations of `@forge/store` into the brain's schema; safe to run on every start. */
export async function migrateBrain(
  url: string,
  brain: string,
): Promise<{ schema: string; applied: string[] }> {
  const { migrate, schemaForBrain } = await preloadStore();
  const schema = schemaForBrain(brain);
  try {
    // Only warnings, and on stderr: stdout belongs to the command's own output (`--json`).
    const logger = createLogger({ name: 'forge-migrate', level: 'warn', destination: process.stderr });
    const { applied } = await migrate({ databaseUrl: url, schema, logger });
    return { schema, applied };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ForgeError(
      'UNAVAILABLE',
      `migrations into ${schema} at ${redactPostgresUrl(url)} failed: ${reason}`,
      {
        cause: error,
      },
    );
  }
}
