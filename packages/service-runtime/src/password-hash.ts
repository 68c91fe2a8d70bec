import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';
import { ForgeError } from '@forge/contracts';

/** scrypt cost: N = 2^15 (32 MiB with r = 8), about 100 ms on a small core; p = 1. */
const DEFAULT_PARAMS = { N: 32_768, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
/** Below this a stored hash is refused: a weak hash in a secret file is a configuration error. */
const MIN_LOG2_N = 14;

const FORMAT = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]{16,})\$([A-Za-z0-9_-]{32,})$/;

function derive(password: string, salt: Buffer, params: ScryptOptions, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize('NFC'),
      salt,
      length,
      { ...params, maxmem: 128 * (params.N ?? 0) * (params.r ?? 8) * 2 },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

/**
 * A password hash as one line of text: `scrypt$<N>$<r>$<p>$<salt>$<key>` (salt and key base64url).
 * What a secret file or FORGE_CONSOLE_PASSWORD_HASH holds; the password itself is never stored.
 */
export async function hashPassword(password: string): Promise<string> {
  if (password.length === 0) throw new ForgeError('BAD_INPUT', 'password: must not be empty');
  const salt = randomBytes(SALT_LENGTH);
  const key = await derive(password, salt, DEFAULT_PARAMS, KEY_LENGTH);
  const { N, r, p } = DEFAULT_PARAMS;
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** A parsed password hash, checked once at start-up (BAD_CONFIG naming what is wrong, never the hash). */
export class PasswordHash {
  private constructor(
    private readonly params: { N: number; r: number; p: number },
    private readonly salt: Buffer,
    private readonly key: Buffer,
  ) {}

  static parse(text: string, where: string): PasswordHash {
    const match = FORMAT.exec(text.trim());
    if (!match) {
      throw new ForgeError(
        'BAD_CONFIG',
        `${where}: must be a scrypt hash (scrypt$N$r$p$salt$key), as \`forge console hash-password\` prints`,
      );
    }
    const [N, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
    if (!Number.isInteger(Math.log2(N)) || Math.log2(N) < MIN_LOG2_N || r < 1 || r > 32 || p < 1 || p > 16) {
      throw new ForgeError(
        'BAD_CONFIG',
        `${where}: scrypt parameters too weak or invalid (N=${N}, r=${r}, p=${p})`,
      );
    }
    return new PasswordHash(
      { N, r, p },
      Buffer.from(match[4]!, 'base64url'),
      Buffer.from(match[5]!, 'base64url'),
    );
  }

  /** Whether `password` matches, compared in constant time; always does the full scrypt work. */
  async verify(password: string): Promise<boolean> {
    if (password.length === 0 || password.length > 1024) {
      await derive('x', this.salt, this.params, this.key.length);
      return false;
    }
    const candidate = await derive(password, this.salt, this.params, this.key.length);
    return timingSafeEqual(candidate, this.key);
  }
}
