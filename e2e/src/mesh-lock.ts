import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './forge-process.js';

/** One lock per checkout: the suites of one test run wait for each other, other checkouts do not. */
const LOCK_DIR = join(
  tmpdir(),
  `forge-e2e-mesh-${createHash('sha256').update(REPO_ROOT).digest('hex').slice(0, 12)}.lock`,
);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Serializes the e2e suites that bring up a whole mesh (seven services, sometimes an embedded
 * Postgres): on a 2-core machine two of them starting at once starve each other past their start
 * deadlines. Vitest runs test files in parallel; each such suite takes this lock in `beforeAll` and
 * calls the returned release in `afterAll`. A lock left by a process that died is taken over.
 * Waits at most `timeoutMs`, then throws.
 */
/**
 * How long a suite may wait for the lock: every other mesh suite of the run may go first (their
 * whole run, about 8 minutes on an idle 2-core machine, more when loaded). A suite's `beforeAll`
 * timeout adds this to its own start-up bound.
 */
export const MESH_LOCK_WAIT_MS = 900_000;

export async function acquireMeshLock(
  suite: string,
  timeoutMs = MESH_LOCK_WAIT_MS,
): Promise<() => Promise<void>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await mkdir(LOCK_DIR);
      await writeFile(join(LOCK_DIR, 'owner'), `${process.pid} ${suite}`);
      return () => rm(LOCK_DIR, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = await readFile(join(LOCK_DIR, 'owner'), 'utf8').catch(() => '');
    const pid = Number(owner.split(' ')[0]);
    // Written a moment after the mkdir: an empty owner is a lock being taken, not a stale one.
    if (owner !== '' && !alive(pid)) await rm(LOCK_DIR, { recursive: true, force: true });
    if (Date.now() > deadline)
      throw new Error(`the e2e mesh lock is held by ${owner} for over ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
