import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ForgeError, parseOrThrow } from '@forge/contracts';
import { z } from 'zod';

/**
 * The API keys file the CLI writes and services read: principals and the SHA-256 of their keys,
 * never the keys themselves.
 */
export const ApiKeysFile = z.object({
  v: z.literal(1),
  keys: z.array(
    z.object({
      principal: z.string().min(1).max(200),
      sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits'),
      createdAt: z.iso.datetime(),
      /**
       * Principal prefixes this key may act for (`partner:`): a request with the key and
       * `Forge-On-Behalf-Of: partner:acme` runs as `partner:acme`. Only the gateway's key has one.
       */
      actsFor: z
        .array(z.string().regex(/^[a-z]+:$/, 'must be a prefix such as partner:'))
        .max(10)
        .optional(),
    }),
  ),
});
export type ApiKeysFile = z.infer<typeof ApiKeysFile>;

/** Hex SHA-256 of a key, as stored in the keys file. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * Maps presented API keys to principals. Compares hashes in constant time against every entry
 * (no early exit), so timing tells nothing about which entry, if any, came close.
 */
export class ApiKeyStore {
  private readonly entries: ReadonlyArray<{ principal: string; digest: Buffer; actsFor: readonly string[] }>;

  constructor(file: ApiKeysFile) {
    this.entries = file.keys.map((k) => ({
      principal: k.principal,
      digest: Buffer.from(k.sha256, 'hex'),
      actsFor: k.actsFor ?? [],
    }));
  }

  /**
   * True when `principal`'s key may act for `other` (`other` starts with one of its `actsFor`
   * prefixes and names someone after it).
   */
  mayActFor(principal: string, other: string): boolean {
    const entry = this.entries.find((e) => e.principal === principal);
    return (
      entry !== undefined &&
      /^[a-z]+:[a-z0-9][a-z0-9-]{0,62}$/.test(other) &&
      entry.actsFor.some((prefix) => other.startsWith(prefix))
    );
  }

  /** A store that knows no key: every protected request is refused. */
  static empty(): ApiKeyStore {
    return new ApiKeyStore({ v: 1, keys: [] });
  }

  /** Reads and validates a keys file; BAD_CONFIG naming the field (never a key) when it is wrong. */
  static async fromFile(path: string): Promise<ApiKeyStore> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw new ForgeError('BAD_CONFIG', `cannot read API keys file ${path}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ForgeError('BAD_CONFIG', `API keys file ${path} is not JSON`);
    }
    try {
      return new ApiKeyStore(parseOrThrow(ApiKeysFile, json, `API keys file ${path}`));
    } catch (error) {
      throw new ForgeError('BAD_CONFIG', (error as Error).message, { cause: error });
    }
  }

  get size(): number {
    return this.entries.length;
  }

  /** The principal owning `key`, or null. */
  authenticate(key: string): string | null {
    if (key.length === 0 || key.length > 1024) return null;
    const digest = createHash('sha256').update(key, 'utf8').digest();
    let found: string | null = null;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, digest) && found === null) found = entry.principal;
    }
    return found;
  }
}
