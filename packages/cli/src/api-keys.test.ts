import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiKeysFile, hashApiKey } from '@forge/service-runtime';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureOperatorKey, readOperatorKey } from './api-keys.js';
import { type BrainPaths, brainPaths } from './paths.js';

describe('ensureOperatorKey', () => {
  let dir: string;
  let paths: BrainPaths;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'forge-keys-'));
    paths = brainPaths(dir, 'local');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('creates an fk_ key readable only by its owner and lists its hash, never the key', async () => {
    expect(await ensureOperatorKey(paths)).toEqual({ created: true });
    const key = await readOperatorKey(paths);
    expect(key).toMatch(/^fk_[A-Za-z0-9_-]{43}$/);
    expect((await stat(paths.operatorKey)).mode & 0o777).toBe(0o600);
    const text = await readFile(paths.apiKeys, 'utf8');
    expect(text).not.toContain(key!);
    const file = ApiKeysFile.parse(JSON.parse(text));
    expect(file.keys).toEqual([
      {
        principal: 'operator',
        sha256: hashApiKey(key!),
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    ]);
  });

  it('keeps the key on the next start and leaves the keys file as it was', async () => {
    await ensureOperatorKey(paths);
    const key = await readOperatorKey(paths);
    const before = await readFile(paths.apiKeys, 'utf8');
    expect(await ensureOperatorKey(paths)).toEqual({ created: false });
    expect(await readOperatorKey(paths)).toBe(key);
    expect(await readFile(paths.apiKeys, 'utf8')).toBe(before);
  });

  it('keeps other principals and replaces a stale operator hash', async () => {
    await ensureOperatorKey(paths);
    const partner = { principal: 'partner-a', sha256: 'a'.repeat(64), createdAt: '2026-01-01T00:00:00.000Z' };
    const stale = { principal: 'operator', sha256: 'b'.repeat(64), createdAt: '2026-01-01T00:00:00.000Z' };
    await writeFile(paths.apiKeys, JSON.stringify({ v: 1, keys: [partner, stale] }));
    await ensureOperatorKey(paths);
    const file = ApiKeysFile.parse(JSON.parse(await readFile(paths.apiKeys, 'utf8')));
    expect(file.keys.map((entry) => entry.principal)).toEqual(['partner-a', 'operator']);
    expect(file.keys[1]!.sha256).toBe(hashApiKey((await readOperatorKey(paths))!));
  });

  it('refuses a keys file it cannot read, naming the file', async () => {
    await ensureOperatorKey(paths);
    await writeFile(paths.apiKeys, '{"v":1,');
    await expect(ensureOperatorKey(paths)).rejects.toThrow(`${paths.apiKeys} is not valid JSON`);
    await writeFile(paths.apiKeys, JSON.stringify({ v: 1, keys: [{ principal: 'x', sha256: 'nothex' }] }));
    await expect(ensureOperatorKey(paths)).rejects.toThrow(/keys\.0\.sha256/);
  });

  it('refuses a malformed operator key file', async () => {
    await ensureOperatorKey(paths);
    await writeFile(paths.operatorKey, 'not-a-key\n');
    await expect(readOperatorKey(paths)).rejects.toThrow(/operator key .*must be fk_/);
  });
});
