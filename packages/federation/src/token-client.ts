import { ForgeError } from '@forge/contracts';
import { z } from 'zod';
import type { SecretSource } from './secrets.js';

const TokenResponse = z.object({
  access_token: z.string().min(1).max(8192),
  token_type: z.string().regex(/^bearer$/i, 'must be Bearer'),
  expires_in: z
    .number()
    .int()
    .positive()
    .max(86_400 * 30)
    .optional(),
});

/** A token as the client holds it. */
interface HeldToken {
  readonly value: string;
  readonly expiresAt: number;
}

/**
 * OAuth2 client credentials (RFC 6749 §4.4) toward one partner: fetches a token with HTTP Basic
 * client authentication, keeps it until shortly before it expires (`skewMs`, default 10% of its
 * life, at most 30 s), and fetches a new one when the partner answers 401 (`invalidate`). Calls
 * at the same time share one fetch.
 */
export class TokenClient {
  readonly #tokenUrl: () => Promise<string>;
  readonly #clientId: string;
  readonly #secret: SecretSource;
  readonly #scope: string | undefined;
  readonly #timeoutMs: number;
  readonly #now: () => number;
  #held: HeldToken | null = null;
  #pending: Promise<HeldToken> | null = null;
  /** How many tokens were fetched (for tests and metrics). */
  fetched = 0;

  constructor(options: {
    tokenUrl: () => Promise<string>;
    clientId: string;
    secret: SecretSource;
    scope?: string;
    timeoutMs?: number;
    now?: () => number;
  }) {
    this.#tokenUrl = options.tokenUrl;
    this.#clientId = options.clientId;
    this.#secret = options.secret;
    this.#scope = options.scope;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  async token(): Promise<string> {
    if (this.#held && this.#held.expiresAt > this.#now()) return this.#held.value;
    this.#pending ??= this.#fetch().finally(() => {
      this.#pending = null;
    });
    this.#held = await this.#pending;
    return this.#held.value;
  }

  /** Drops `token` (the partner refused it), so the next `token()` fetches a new one. */
  invalidate(token: string): void {
    if (this.#held?.value === token) this.#held = null;
  }

  async #fetch(): Promise<HeldToken> {
    const url = await this.#tokenUrl();
    const secret = await this.#secret.read();
    const basic = Buffer.from(
      `${encodeURIComponent(this.#clientId)}:${encodeURIComponent(secret)}`,
      'utf8',
    ).toString('base64');
    const body = new URLSearchParams({ grant_type: 'client_credentials' });
    if (this.#scope) body.set('scope', this.#scope);
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
        body,
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      throw new ForgeError('UNAVAILABLE', `token endpoint ${url} did not answer`, { cause: error });
    }
    const text = await response.text();
    if (!response.ok) {
      const code = response.status === 401 || response.status === 400 ? 'UNAUTHENTICATED' : 'UNAVAILABLE';
      throw new ForgeError(code, `token endpoint ${url} answered ${response.status}: ${text.slice(0, 200)}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ForgeError('UNAVAILABLE', `token endpoint ${url} answered something that is not JSON`);
    }
    const parsed = TokenResponse.safeParse(json);
    if (!parsed.success) {
      throw new ForgeError(
        'UNAVAILABLE',
        `token endpoint ${url}: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`,
      );
    }
    this.fetched += 1;
    const lifeMs = (parsed.data.expires_in ?? 60) * 1000;
    const skew = Math.min(30_000, lifeMs / 10);
    return { value: parsed.data.access_token, expiresAt: this.#now() + lifeMs - skew };
  }
}
