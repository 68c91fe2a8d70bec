import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signCard, verifyCardSignature } from './card-signature.js';
import { generateSigningKeyPem, KeyRing } from './key-ring.js';

const JKU = 'https://b.example/.well-known/jwks.json';
const card = {
  name: 'b-gateway',
  supportedInterfaces: [
    { url: 'https://b.example/a2a/jsonrpc', protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
  ],
  skills: [{ id: 'compliance.check-text', name: 'Check text', tags: ['tier:tool'] }],
};

describe('card signatures (A2A v1.0 §8.4)', () => {
  let dir: string;
  let ring: KeyRing;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'forge-card-'));
    await writeFile(join(dir, 'current.pem'), generateSigningKeyPem());
    ring = new KeyRing([join(dir, 'current.pem'), join(dir, 'next.pem')], { checkMs: 0 });
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const verify = (signed: Record<string, unknown>, allow: (jku: string) => boolean = (jku) => jku === JKU) =>
    verifyCardSignature(signed, { jwks: async () => ring.jwks(), allowJku: allow });

  it('signs the canonical card with kid and jku, and the signature verifies', async () => {
    const signed = await signCard(card, ring, JKU);
    const [signature] = signed.signatures as { protected: string; signature: string }[];
    const header = JSON.parse(Buffer.from(signature!.protected, 'base64url').toString('utf8'));
    expect(header).toMatchObject({ alg: 'ES256', typ: 'JOSE', jku: JKU, kid: (await ring.signer()).kid });
    await expect(verify(signed)).resolves.toMatchObject({ jku: JKU });
    // Key order does not matter: the signature covers the canonical form.
    const reordered = Object.fromEntries(Object.entries(signed).reverse());
    await expect(verify(reordered)).resolves.toMatchObject({ jku: JKU });
  });

  it('refuses a card changed after signing, a tampered signature, none, or a jku not the partner’s', async () => {
    const signed = await signCard(card, ring, JKU);
    await expect(verify({ ...signed, name: 'evil' })).rejects.toThrow(/does not match the card/);
    const [sig] = signed.signatures as { protected: string; signature: string }[];
    const flipped = `${sig!.signature.slice(0, -2)}${sig!.signature.endsWith('AA') ? 'BB' : 'AA'}`;
    await expect(verify({ ...signed, signatures: [{ ...sig, signature: flipped }] })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(verify({ ...card })).rejects.toThrow(/no signatures/);
    await expect(verify(signed, () => false)).rejects.toThrow(/not this partner/);
  });

  it('keeps verifying across a key rotation: the old key stays in the JWKS while both files exist', async () => {
    const before = await signCard(card, ring, JKU);
    await writeFile(join(dir, 'next.pem'), generateSigningKeyPem());
    // Swap: the new key signs, the old one still verifies.
    await rename(join(dir, 'current.pem'), join(dir, 'old.pem'));
    await rename(join(dir, 'next.pem'), join(dir, 'current.pem'));
    await rename(join(dir, 'old.pem'), join(dir, 'next.pem'));
    expect((await ring.jwks()).keys).toHaveLength(2);
    await expect(verify(before)).resolves.toBeDefined();
    await rm(join(dir, 'next.pem'));
    await expect(verify(before)).rejects.toThrow(/is not in/);
    await expect(verify(await signCard(card, ring, JKU))).resolves.toBeDefined();
  });
});
