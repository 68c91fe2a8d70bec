import { ForgeError } from '@forge/contracts';
import {
  type FederationConfig,
  HashedSecrets,
  type KeyRing,
  looksLikeJwt,
  skillScope,
  verifyAccessToken,
} from '@forge/federation';
import type { Request } from 'express';

/** How many verified tokens are remembered (oldest dropped first). */
const MAX_VERIFIED = 2_000;

/** Who is calling: a partner, and the scopes its token grants (null: an API key, all its skills). */
export interface PartnerCall {
  readonly partner: string;
  readonly scopes: ReadonlySet<string> | null;
}

/**
 * Authenticates partner calls at the gateway: `Authorization: Bearer <JWT>` (a token our token
 * endpoint issued: signature by a key of our ring, issuer and audience our public URL, not
 * expired), or an API key (`Authorization: Bearer <key>` or `X-API-Key`) matched against each
 * partner's hash file. UNAUTHENTICATED otherwise; the RFC 6750 challenge says why.
 */
export class PartnerAuthenticator {
  readonly #config: FederationConfig;
  readonly #ring: KeyRing;
  readonly #apiKeys: [string, HashedSecrets][];
  /** Tokens verified lately: a partner sends the same token on every call until it expires. */
  readonly #verified = new Map<string, { call: PartnerCall; kid: string; expiresAt: number }>();

  constructor(config: FederationConfig, ring: KeyRing) {
    this.#config = config;
    this.#ring = ring;
    this.#apiKeys = Object.entries(config.partners).flatMap(([name, p]) =>
      p.inbound?.credentials.apiKeyHashesFile
        ? [[name, new HashedSecrets(p.inbound.credentials.apiKeyHashesFile)] as [string, HashedSecrets]]
        : [],
    );
  }

  /** The `WWW-Authenticate` of a 401 (RFC 6750 §3), naming the realm and, for a bad token, why. */
  challenge(error?: unknown): string {
    const realm = `Bearer realm="${this.#config.publicUrl}"`;
    if (error instanceof ForgeError && error.details?.tokenPresented === true) {
      return `${realm}, error="invalid_token", error_description="${error.message.replaceAll('"', "'")}"`;
    }
    return realm;
  }

  async authenticate(req: Request): Promise<PartnerCall> {
    const authorization = req.header('authorization');
    let presented: string | undefined;
    if (authorization !== undefined) {
      presented = /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
      if (presented === undefined) {
        throw new ForgeError('UNAUTHENTICATED', 'Authorization must be "Bearer <token>"');
      }
    } else {
      presented = req.header('x-api-key')?.trim() || undefined;
    }
    if (presented === undefined) {
      throw new ForgeError(
        'UNAUTHENTICATED',
        `credentials are required: a token from ${this.#config.publicUrl}/oauth/token as Authorization: Bearer <token>, or an API key`,
      );
    }
    if (looksLikeJwt(presented)) {
      const known = this.#verified.get(presented);
      // Still valid only while it has not expired and its key is still in the ring (a rotation
      // that drops the key refuses the token at once).
      if (known && known.expiresAt > Date.now() && (await this.#ring.find(known.kid))) return known.call;
      if (known) this.#verified.delete(presented);
      const verified = await verifyAccessToken(this.#ring, presented, {
        issuer: this.#config.publicUrl,
        audience: this.#config.publicUrl,
      }).catch((error: unknown) => {
        const forge = ForgeError.from(error);
        throw new ForgeError('UNAUTHENTICATED', forge.message, { details: { tokenPresented: true } });
      });
      if (!this.#config.partners[verified.subject]?.inbound) {
        throw new ForgeError('UNAUTHENTICATED', 'the token names no partner of this brain', {
          details: { tokenPresented: true },
        });
      }
      const call = { partner: verified.subject, scopes: verified.scopes };
      if (this.#verified.size >= MAX_VERIFIED) this.#verified.delete(this.#verified.keys().next().value!);
      this.#verified.set(presented, { call, kid: verified.kid, expiresAt: verified.expiresAt });
      return call;
    }
    for (const [partner, keys] of this.#apiKeys) {
      if (await keys.matches(presented)) return { partner, scopes: null };
    }
    throw new ForgeError('UNAUTHENTICATED', 'the credentials are not valid');
  }

  /** FORBIDDEN unless `call` may use `skill`: granted to the partner, and in its token's scopes. */
  authorise(call: PartnerCall, skill: string): void {
    const granted = this.#config.partners[call.partner]?.inbound?.skills ?? [];
    if (!granted.includes(skill)) {
      throw new ForgeError('FORBIDDEN', `partner ${call.partner} may not call ${skill}`, {
        details: { field: 'message.metadata.skill' },
      });
    }
    if (call.scopes !== null && !call.scopes.has(skillScope(skill))) {
      throw new ForgeError('FORBIDDEN', `the token's scopes do not include ${skillScope(skill)}`, {
        details: { field: 'message.metadata.skill' },
      });
    }
  }
}
