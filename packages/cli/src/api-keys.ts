import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { ForgeError, parseOrThrow } from '@forge/contracts';
// The keys file's schema and hash belong to agent-kit, which reads the file in every service.
import { ApiKeysFile, hashApiKey } from '@forge/service-runtime';
import { z } from 'zod';
import type { BrainPaths } from './paths.js';

/** An operator key: `fk_` and 32 random bytes in base64url. */
export const OperatorKey = z
  .string()
  .regex(/^fk_[A-Za-z0-9_-]{43}$/, 'must be fk_ and 43 base64url characters');

export const OPERATOR_PRINCIPAL = 'operator';

export function newOperatorKey(): string {
  return `fk_${randomBytes(32).toString('base64url')}`;
}

async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Reads the brain's operator key; null when `forge up` has not made one yet. */
export async function readOperatorKey(paths: BrainPaths): Promise<string | null> {
  const text = await readIfExists(paths.operatorKey);
  if (text === null) return null;
  return parseOrThrow(OperatorKey, text.trim(), `operator key in ${paths.operatorKey}`);
}

/**
 * Makes sure the brain has an operator key (created once, kept afterwards, mode 0600) and that
 * `api-keys.json` lists its hash under the `operator` principal. Other principals in the file
 * are kept as they are. Returns whether the key was created now.
 */
export async function ensureOperatorKey(paths: BrainPaths): Promise<{ created: boolean }> {
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  let key = await readOperatorKey(paths);
  const created = key === null;
  if (key === null) {
    key = newOperatorKey();
    // `wx`: if two `forge up` race here, one fails instead of both writing different keys.
    await writeFile(paths.operatorKey, `${key}\n`, { mode: 0o600, flag: 'wx' });
  }
  await chmod(paths.operatorKey, 0o600);

  const text = await readIfExists(paths.apiKeys);
  let file: ApiKeysFile = { v: 1, keys: [] };
  if (text !== null) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ForgeError('BAD_CONFIG', `${paths.apiKeys} is not valid JSON; fix or delete it`);
    }
    file = parseOrThrow(ApiKeysFile, json, paths.apiKeys);
  }
  const hash = hashApiKey(key);
  const current = file.keys.find((entry) => entry.principal === OPERATOR_PRINCIPAL);
  if (current?.sha256 === hash) return { created };
  const others = file.keys.filter((entry) => entry.principal !== OPERATOR_PRINCIPAL);
  const next: ApiKeysFile = {
    v: 1,
    keys: [...others, { principal: OPERATOR_PRINCIPAL, sha256: hash, createdAt: new Date().toISOString() }],
  };
  // Write then rename, so a service never reads half a file.
  const tmp = `${paths.apiKeys}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, paths.apiKeys);
  return { created };
}
