import { randomUUID } from 'node:crypto';
import { ForgeError } from '@forge/contracts';
import { errors, jwtVerify, SignJWT } from 'jose';
import { type KeyRing, SIGNING_ALG } from './key-ring.js';

/** The JWT `typ` of access tokens (RFC 9068). */
const TOKEN_TYPE = 'at+jwt';

/** The scope a partner needs to call a skill: `skill:<agent>.<skill>`. */
export function skillScope(skill: string): string {
  return `skill:${skill}`;
}

export interface IssuedToken {
  readonly accessToken: string;
  readonly expiresIn: number;
  readonly scopes: readonly string[];
}

/**
 * An access token (RFC 9068 JWT) for `subject` (a partner's name), signed by the ring's current
 * key, for `audience` (the gateway's public URL), with the granted scopes, expiring after
 * `ttlSeconds`.
 */
export async function issueAccessToken(
  ring: KeyRing,
  claims: {
    issuer: string;
    audience: string;
    subject: string;
    scopes: readonly string[];
    ttlSeconds: number;
  },
  now: Date = new Date(),
): Promise<IssuedToken> {
  const key = await ring.signer();
  const iat = Math.floor(now.getTime() / 1000);
  const accessToken = await new SignJWT({ scope: claims.scopes.join(' '), client_id: claims.subject })
    .setProtectedHeader({ alg: SIGNING_ALG, kid: key.kid, typ: TOKEN_TYPE })
    .setIssuer(claims.issuer)
    .setAudience(claims.audience)
    .setSubject(claims.subject)
    .setIssuedAt(iat)
    .setExpirationTime(iat + claims.ttlSeconds)
    .setJti(randomUUID())
    .sign(key.privateKey);
  return { accessToken, expiresIn: claims.ttlSeconds, scopes: claims.scopes };
}

/** What a verified token says. */
export interface VerifiedToken {
  readonly subject: string;
  readonly scopes: ReadonlySet<string>;
  /** The key that signed it. */
  readonly kid: string;
  /** When it expires, epoch milliseconds. */
  readonly expiresAt: number;
}

/** A token that looks like a JWT (three base64url parts), as opposed to an API key. */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
}

/**
 * Verifies an access token against the ring (any key present: two are valid during a rotation),
 * the issuer and the audience, with no clock tolerance beyond `toleranceSeconds`. UNAUTHENTICATED
 * with a reason (`expired`, `invalid`) otherwise; the token itself never appears in the message.
 */
export async function verifyAccessToken(
  ring: KeyRing,
  token: string,
  expected: { issuer: string; audience: string; toleranceSeconds?: number },
): Promise<VerifiedToken> {
  try {
    const { payload, protectedHeader } = await jwtVerify(
      token,
      async (header) => {
        const key = await ring.find(header.kid);
        if (!key)
          throw new ForgeError('UNAUTHENTICATED', 'the token was signed by a key this gateway does not hold');
        return key.publicKey;
      },
      {
        issuer: expected.issuer,
        audience: expected.audience,
        algorithms: [SIGNING_ALG],
        typ: TOKEN_TYPE,
        clockTolerance: expected.toleranceSeconds ?? 5,
        requiredClaims: ['exp', 'sub', 'iat'],
      },
    );
    const scope = typeof payload.scope === 'string' ? payload.scope : '';
    return {
      subject: payload.sub!,
      scopes: new Set(scope.split(' ').filter(Boolean)),
      kid: protectedHeader.kid ?? '',
      expiresAt: (payload.exp ?? 0) * 1000,
    };
  } catch (error) {
    if (error instanceof errors.JWTExpired)
      throw new ForgeError('UNAUTHENTICATED', 'the access token has expired');
    if (error instanceof errors.JWTClaimValidationFailed) {
      throw new ForgeError('UNAUTHENTICATED', `the access token is not for this gateway (${error.claim})`);
    }
    throw new ForgeError('UNAUTHENTICATED', 'the access token is not valid');
  }
}
