import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyStore, hashApiKey } from './api-keys.js';

describe('ApiKeyStore', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'forge-keys-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const file = async (name: string, content: string) => {
    const path = join(dir, name);
    await writeFile(path, content);
    return path;
  };

  it('maps a key to its principal by SHA-256, and refuses anything else', async () => {
    const path = await file(
      'keys.json',
      JSON.stringify({
        v: 1,
        keys: [
          { principal: 'operator', sha256: hashApiKey('op-secret'), createdAt: '2026-01-01T00:00:00Z' },
          { principal: 'partner', sha256: hashApiKey('pa-secret'), createdAt: '2026-01-01T00:00:00Z' },
        ],
      }),
    );
    const store = await ApiKeyStore.fromFile(path);
    expect(store.size).toBe(2);
    expect(store.authenticate('op-secret')).toBe('operator');
    expect(store.authenticate('pa-secret')).toBe('partner');
    expect(store.authenticate('op-secret ')).toBeNull();
    expect(store.authenticate('')).toBeNull();
    expect(store.authenticate(hashApiKey('op-secret'))).toBeNull();
    expect(ApiKeyStore.empty().authenticate('op-secret')).toBeNull();
  });

  it('names the bad field of a broken file', async () => {
    const badHash = await file(
      'bad.json',
      JSON.stringify({
        v: 1,
        keys: [{ principal: 'x', sha256: 'nothex', createdAt: '2026-01-01T00:00:00Z' }],
      }),
    );
    await expect(ApiKeyStore.fromFile(badHash)).rejects.toMatchObject({
      code: 'BAD_CONFIG',
      message: expect.stringContaining('keys.0.sha256'),
    });
    const notJson = await file('nope.json', 'op-secret');
    const error = await ApiKeyStore.fromFile(notJson).catch((e: Error) => e);
    expect(error).toMatchObject({ code: 'BAD_CONFIG' });
    expect((error as Error).message).not.toContain('op-secret');
    await expect(ApiKeyStore.fromFile(join(dir, 'missing.json'))).rejects.toMatchObject({
      code: 'BAD_CONFIG',
    });
  });
});
