import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PasswordHash } from '@forge/service-runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureConsolePassword } from './console-secret.js';
import { brainPaths } from './paths.js';

describe('ensureConsolePassword', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('makes a secret once (0600, with its scrypt hash), gives it back only then, and a reset makes a new one', async () => {
    dir = await mkdtemp(join(tmpdir(), 'forge-console-secret-'));
    const paths = brainPaths(dir, 'local');
    const first = await ensureConsolePassword(paths);
    expect(first.created).toBe(true);
    expect(first.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    for (const file of [paths.consolePassword, paths.consolePasswordHash]) {
      expect((await stat(file)).mode & 0o777).toBe(0o600);
    }
    expect((await readFile(paths.consolePassword, 'utf8')).trim()).toBe(first.password);
    const hash = PasswordHash.parse(await readFile(paths.consolePasswordHash, 'utf8'), 'hash file');
    expect(await hash.verify(first.password!)).toBe(true);

    expect(await ensureConsolePassword(paths)).toEqual({ created: false, password: null });

    const reset = await ensureConsolePassword(paths, { reset: true });
    expect(reset.created).toBe(true);
    expect(reset.password).not.toBe(first.password);
    const after = PasswordHash.parse(await readFile(paths.consolePasswordHash, 'utf8'), 'hash file');
    expect(await after.verify(first.password!)).toBe(false);
    expect(await after.verify(reset.password!)).toBe(true);
  });
});
