import { generateKeyPairSync, type webcrypto } from 'node:crypto';
import { ForgeError } from '@forge/contracts';
import { calculateJwkThumbprint, exportJWK, importJWK, importPKCS8, type JWK } from 'jose';
import { WatchedFile } from './watched-file.js';

type CryptoKey = webcrypto.CryptoKey;

/** The algorithm of every key a brain signs with: ECDSA P-256 with SHA-256. */
export const SIGNING_ALG = 'ES256';

/** One key of the ring: the private key, and its public JWK with `kid` (the RFC 7638 thumbprint). */
export interface RingKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly publicJwk: JWK & { kid: string };
}

/** A JSON Web Key Set (RFC 7517 §5). */
export interface Jwks {
  keys: (JWK & { kid: string })[];
}

async function parseKey(path: string, pem: string): Promise<RingKey> {
  let privateKey: CryptoKey;
  try {
    privateKey = await importPKCS8(pem.trim(), SIGNING_ALG, { extractable: true });
  } catch (error) {
    throw new ForgeError('BAD_CONFIG', `signing key ${path}: not a PKCS#8 PEM EC P-256 private key`, {
      cause: error,
    });
  }
  const full = await exportJWK(privateKey);
  const publicJwk: JWK = { kty: full.kty, crv: full.crv, x: full.x, y: full.y };
  const kid = await calculateJwkThumbprint(publicJwk);
  const publicKey = (await importJWK(publicJwk, SIGNING_ALG)) as CryptoKey;
  return { kid, privateKey, publicKey, publicJwk: { ...publicJwk, kid, alg: SIGNING_ALG, use: 'sig' } };
}

/**
 * The brain's signing keys, each a PEM file: the first file's key signs (tokens, the card), every
 * key present verifies and is published in the JWKS. Rotating without a restart: write the new
 * key to a second file listed in the config, let partners pick it up from the JWKS, then swap the
 * files; each file is read again when it changes (checked at most once a second), so two keys are
 * valid while a rotation runs. A missing file is skipped; a ring with no key at all is BAD_CONFIG.
 */
export class KeyRing {
  readonly #files: WatchedFile<RingKey>[];

  constructor(paths: readonly string[], options: { checkMs?: number } = {}) {
    if (paths.length === 0)
      throw new ForgeError('BAD_CONFIG', 'signing keys: at least one key file is required');
    this.#files = paths.map((path) => new WatchedFile(path, (text) => parseKey(path, text), options));
  }

  /** Every key present, the signing key first. */
  async keys(): Promise<RingKey[]> {
    const keys = (await Promise.all(this.#files.map((file) => file.read()))).filter(
      (key): key is RingKey => key !== null,
    );
    if (keys.length === 0) {
      throw new ForgeError(
        'BAD_CONFIG',
        `signing keys: none of ${this.#files.map((f) => f.path).join(', ')} could be read`,
      );
    }
    return keys;
  }

  /** The key that signs now. */
  async signer(): Promise<RingKey> {
    return (await this.keys())[0]!;
  }

  /** The key with `kid`, if the ring holds it. */
  async find(kid: string | undefined): Promise<RingKey | null> {
    if (kid === undefined) return null;
    return (await this.keys()).find((key) => key.kid === kid) ?? null;
  }

  /** The public JWKS every holder of a token or a card signature checks against. */
  async jwks(): Promise<Jwks> {
    return { keys: (await this.keys()).map((key) => key.publicJwk) };
  }
}

/** A new ES256 (P-256) private key as PKCS#8 PEM, what `forge up` writes for a brain that has none. */
export function generateSigningKeyPem(): string {
  return generateKeyPairSync('ec', {
    namedCurve: 'P-256',
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  }).privateKey;
}
