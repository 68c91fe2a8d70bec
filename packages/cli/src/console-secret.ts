import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { hashPassword, PasswordHash } from '@forge/service-runtime';
import type { BrainPaths } from './paths.js';

/** The console's login name for the brain's operator. */
export const CONSOLE_OPERATOR = 'operator';

/** A first-login secret: 18 random bytes in base64url (24 characters). */
export function newConsolePassword(): string {
  return randomBytes(18).toString('base64url');
}

async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * Makes sure the brain has a console password: when its hash file is missing (or `reset`), a new
 * secret is generated and written with its scrypt hash, both mode 0600 under the brain's state
 * folder. Returns the secret only when it was made now (so `forge up` prints it once); the files
 * stay for the operator to read later, and the console reads only the hash.
 */
export async function ensureConsolePassword(
  paths: BrainPaths,
  options: { reset?: boolean } = {},
): Promise<{ created: boolean; password: string | null }> {
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  const existing = options.reset ? null : await readIfExists(paths.consolePasswordHash);
  if (existing !== null) {
    PasswordHash.parse(existing, paths.consolePasswordHash);
    await chmod(paths.consolePasswordHash, 0o600);
    return { created: false, password: null };
  }
  const password = newConsolePassword();
  const hash = await hashPassword(password);
  // Write then rename, so a console starting meanwhile never reads half a hash.
  const write = async (path: string, text: string) => {
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, `${text}\n`, { mode: 0o600 });
    await rename(tmp, path);
    await chmod(path, 0o600);
  };
  await write(paths.consolePassword, password);
  await write(paths.consolePasswordHash, hash);
  return { created: true, password };
}
