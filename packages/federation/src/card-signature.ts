import { ForgeError } from '@forge/contracts';
import { base64url, decodeProtectedHeader, FlattenedSign, flattenedVerify, importJWK, type JWK } from 'jose';
import { canonicalJson } from './canonical-json.js';
import { type KeyRing, SIGNING_ALG } from './key-ring.js';

/** One entry of a card's `signatures` (A2A v1.0 AgentCardSignature): a detached JWS. */
export interface CardSignature {
  protected: string;
  signature: string;
}

type CardJson = Record<string, unknown>;

/** The bytes a card signature covers: the RFC 8785 form of the card without `signatures`. */
export function cardSigningInput(card: CardJson): Uint8Array {
  const { signatures: _ignored, ...rest } = card;
  return new TextEncoder().encode(canonicalJson(rest));
}

/**
 * Signs a card (its ProtoJSON form) as A2A v1.0 §8.4 describes: a JWS whose payload is the RFC
 * 8785 canonical card without `signatures`, detached (only `protected` and `signature` are kept),
 * with `alg`, `typ: JOSE`, `kid` and `jku` (where the JWKS is) in the protected header. Returns
 * the card with `signatures` set to that one signature.
 */
export async function signCard(card: CardJson, ring: KeyRing, jku: string): Promise<CardJson> {
  const key = await ring.signer();
  const jws = await new FlattenedSign(cardSigningInput(card))
    .setProtectedHeader({ alg: SIGNING_ALG, typ: 'JOSE', kid: key.kid, jku })
    .sign(key.privateKey);
  const signature: CardSignature = { protected: jws.protected!, signature: jws.signature };
  return { ...card, signatures: [signature] };
}

/** Where verification gets a JWKS: a fetch in production, a map in tests. */
export type JwksSource = (jku: string) => Promise<{ keys: JWK[] }>;

/**
 * Checks a partner's card before anything in it is trusted: at least one entry of `signatures`
 * must be a valid ES256 JWS over the canonical card, by a key found (by `kid`) in the JWKS its
 * `jku` names, and that `jku` must be one `allowJku` accepts (the partner's own origin, or the
 * JWKS URL configured for it): a card cannot vouch for itself with a key set of its choosing.
 * Throws FORBIDDEN naming what failed (no signature, unknown key, bad signature).
 */
export async function verifyCardSignature(
  card: CardJson,
  options: { jwks: JwksSource; allowJku: (jku: string) => boolean },
): Promise<{ kid: string; jku: string }> {
  const signatures = card.signatures;
  if (!Array.isArray(signatures) || signatures.length === 0) {
    throw new ForgeError('FORBIDDEN', 'partner card: it carries no signatures');
  }
  const payload = base64url.encode(cardSigningInput(card));
  const failures: string[] = [];
  for (const [index, entry] of signatures.entries()) {
    const sig = entry as Partial<CardSignature>;
    if (typeof sig?.protected !== 'string' || typeof sig.signature !== 'string') {
      failures.push(`signatures[${index}]: protected and signature must be strings`);
      continue;
    }
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader({ protected: sig.protected });
    } catch {
      failures.push(`signatures[${index}].protected: not a JWS header`);
      continue;
    }
    const { kid, jku, alg } = header;
    if (alg !== SIGNING_ALG || typeof kid !== 'string' || typeof jku !== 'string') {
      failures.push(`signatures[${index}]: needs alg ${SIGNING_ALG}, kid and jku`);
      continue;
    }
    if (!options.allowJku(jku)) {
      failures.push(`signatures[${index}]: jku ${jku} is not this partner's`);
      continue;
    }
    const jwk = (await options.jwks(jku)).keys.find((k) => k.kid === kid);
    if (!jwk) {
      failures.push(`signatures[${index}]: key ${kid} is not in ${jku}`);
      continue;
    }
    try {
      const key = await importJWK(jwk, SIGNING_ALG);
      await flattenedVerify({ payload, protected: sig.protected, signature: sig.signature }, key);
      return { kid, jku };
    } catch {
      failures.push(`signatures[${index}]: the signature does not match the card`);
    }
  }
  throw new ForgeError('FORBIDDEN', `partner card refused: ${failures.join('; ')}`);
}
