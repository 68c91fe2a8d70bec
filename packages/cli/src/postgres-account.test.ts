import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { allowTraverse, firstBlockedDirectory, type PostgresAccount } from './postgres-account.js';

/** An account that owns nothing here and shares no group with it: it gets "other" rights only. */
const STRANGER: PostgresAccount = { name: 'stranger', uid: 54_321, gid: 54_321 };

describe('reaching the embedded data folder as the postgres account', () => {
  let top: string;
  beforeEach(async () => {
    top = await mkdtemp(join(tmpdir(), 'forge-pg-account-'));
  });
  afterEach(() => rm(top, { recursive: true, force: true }));

  it('finds the first folder on the way that others may not pass through', async () => {
    const state = join(top, 'state');
    await mkdir(join(state, 'brain'), { recursive: true, mode: 0o755 });
    await chmod(top, 0o700);
    expect(await firstBlockedDirectory(join(state, 'brain', 'pgdata'), STRANGER)).toBe(top);
    await chmod(top, 0o711);
    expect(await firstBlockedDirectory(join(state, 'brain', 'pgdata'), STRANGER)).toBeNull();
    // The owner's and the group's bits count for the account that owns the folder or is its group.
    await chmod(top, 0o700);
    const info = await stat(top);
    expect(await firstBlockedDirectory(state, { name: 'me', uid: info.uid, gid: 54_321 })).toBeNull();
  });

  it('makes forge up own folders passable, not listable, and leaves files alone', async () => {
    const brain = join(top, 'state', 'brain');
    await mkdir(brain, { recursive: true, mode: 0o700 });
    await chmod(join(top, 'state'), 0o700);
    await writeFile(join(brain, 'operator.key'), 'secret', { mode: 0o600 });
    await allowTraverse(join(top, 'state'), brain);
    expect((await stat(join(top, 'state'))).mode & 0o777).toBe(0o701);
    expect((await stat(brain)).mode & 0o777).toBe(0o701);
    expect((await stat(join(brain, 'operator.key'))).mode & 0o777).toBe(0o600);
    // Above the state folder nothing is touched.
    expect((await stat(top)).mode & 0o777).toBe(0o700);
  });
});
