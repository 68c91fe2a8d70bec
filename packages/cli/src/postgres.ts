import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ForgeError } from '@forge/contracts';
import { createLogger } from '@forge/telemetry';
import pg from 'pg';
import {
  type EmbeddedPostgresOptions,
  endOrphanedBackends,
  prepareEmbeddedPostgres,
  quietPostgresLines,
} from './embedded-postgres.js';
import { SupervisedProcess, type SupervisorHooks } from './supervised-process.js';

/** Postgres as `forge up` uses it: the URL the services get, and a stop for the embedded one. */
export interface PostgresHandle {
  readonly url: string;
  readonly embedded: boolean;
  /** The embedded server's current process (its postmaster), reported apart from the services. */
  readonly pid: number | null;
  /** Where the embedded server keeps its data; null for DATABASE_URL. */
  readonly dataDir: string | null;
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
  return { url, embedded: false, pid: null, dataDir: null, stop: async () => {} };
}

/** How long a fast shutdown (SIGINT: roll back, checkpoint, exit) gets before SIGKILL. */
const POSTGRES_GRACE_MS = 15_000;

/**
 * Starts the embedded Postgres ({@link prepareEmbeddedPostgres}: real PostgreSQL from npm) as a
 * supervised process named `postgres`: when it exits on its own it is started again with the
 * services' backoff and log lines, and the services' pools reconnect. Resolves once it accepts
 * connections; throws UNAVAILABLE (after stopping it) when it does not within `timeoutMs` or keeps
 * crashing. `stop()` is a fast shutdown.
 */
export async function startEmbeddedPostgres(
  opts: EmbeddedPostgresOptions & { readonly timeoutMs: number; readonly supervisor: SupervisorHooks },
): Promise<PostgresHandle> {
  const plan = await prepareEmbeddedPostgres(opts);
  if (plan.created) opts.say(`created the embedded database in ${plan.dataDir}`);
  const keep = opts.quiet ? quietPostgresLines() : () => true;
  const proc = new SupervisedProcess({
    name: 'postgres',
    command: plan.command,
    args: plan.args,
    cwd: plan.dataDir,
    env: plan.env,
    ...(plan.account ? { uid: plan.account.uid, gid: plan.account.gid } : {}),
    stopSignal: 'SIGINT',
    beforeRestart: async () => {
      const ended = await endOrphanedBackends(plan.dataDir);
      if (ended > 0) opts.say(`ended ${ended} processes the last postgres left behind`);
    },
    ...opts.supervisor,
    onLine: (name, line, stream) => {
      if (keep(line)) opts.supervisor.onLine(name, line, stream);
    },
  });
  proc.start();
  try {
    await waitForPostgres(plan.url, plan.dataDir, proc, Date.now() + opts.timeoutMs);
  } catch (error) {
    await proc.stop(POSTGRES_GRACE_MS);
    throw error;
  }
  return {
    url: plan.url,
    embedded: true,
    dataDir: plan.dataDir,
    get pid() {
      return proc.pid;
    },
    stop: async () => {
      await proc.stop(POSTGRES_GRACE_MS);
    },
  };
}

/**
 * Waits until the server says it is ready (`postmaster.pid` names the current pid and ends its
 * status line with `ready`: no connection attempts that Postgres would log as FATAL meanwhile),
 * then checks with `select 1`. UNAVAILABLE at the deadline or once the supervisor gave up.
 */
async function waitForPostgres(
  url: string,
  dataDir: string,
  proc: SupervisedProcess,
  deadline: number,
): Promise<void> {
  let lastError: unknown = null;
  for (;;) {
    if (proc.gaveUp) {
      throw new ForgeError(
        'UNAVAILABLE',
        'the embedded Postgres kept crashing while starting; see its log lines above',
      );
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? ` (${lastError.message})` : '';
      throw new ForgeError(
        'UNAVAILABLE',
        `the embedded Postgres did not accept connections in time${why}; see its log lines above`,
        { cause: lastError },
      );
    }
    if (proc.pid !== null && (await postmasterReady(dataDir, proc.pid))) {
      try {
        await probePostgres(url, 2_000);
        return;
      } catch (error) {
        lastError = error;
      }
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 50));
  }
}

/** Whether `postmaster.pid` is this server's and its status line (the 8th) says `ready`. */
async function postmasterReady(dataDir: string, pid: number): Promise<boolean> {
  try {
    const lines = (await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n');
    return Number(lines[0]) === pid && lines[7]?.trim() === 'ready';
  } catch {
    return false;
  }
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
