import { createHash, timingSafeEqual } from 'node:crypto';
import { ForgeError } from '@forge/contracts';
import { WatchedFile } from './watched-file.js';

/** Hex SHA-256 of a secret, as hash files hold them. */
export function sha256Hex(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

function parseHashes(path: string, text: string): Buffer[] {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  return lines.map((line, i) => {
    if (!/^[0-9a-f]{64}$/.test(line)) {
      throw new ForgeError(
        'BAD_CONFIG',
        `${path} line ${i + 1}: must be 64 lower-case hex digits (a SHA-256)`,
      );
    }
    return Buffer.from(line, 'hex');
  });
}

/**
 * Accepted secrets of a partner (client secrets or API keys) as a file of SHA-256 hashes, one a
 * line: rotation adds the new hash, the partner switches, the old line goes; the file is read
 * again when it changes. Compares in constant time against every line.
 */
export class HashedSecrets {
  readonly #file: WatchedFile<Buffer[]>;

  constructor(path: string, options: { checkMs?: number } = {}) {
    this.#file = new WatchedFile(path, (text) => parseHashes(path, text), options);
  }

  async matches(secret: string): Promise<boolean> {
    if (secret.length === 0 || secret.length > 1024) return false;
    const hashes = (await this.#file.read()) ?? [];
    const digest = createHash('sha256').update(secret, 'utf8').digest();
    let found = false;
    for (const hash of hashes) if (timingSafeEqual(hash, digest)) found = true;
    return found;
  }
}

/** A secret we present (our client secret or API key at a partner): from a file (rotatable) or a variable. */
export class SecretSource {
  readonly #file: WatchedFile<string> | null;
  readonly #value: string | undefined;
  readonly #what: string;

  constructor(
    what: string,
    from: { file?: string | undefined; env?: string | undefined },
    env: Readonly<Record<string, string | undefined>>,
  ) {
    this.#what = what;
    this.#file = from.file ? new WatchedFile(from.file, (text) => text.trim()) : null;
    this.#value = from.env ? env[from.env] : undefined;
  }

  async read(): Promise<string> {
    const value = this.#file ? await this.#file.read() : this.#value;
    if (!value)
      throw new ForgeError('BAD_CONFIG', `${this.#what}: the secret is not set or its file is empty`);
    return value;
  }
}
