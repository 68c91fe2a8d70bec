import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { issueAccessToken, looksLikeJwt, verifyAccessToken } from './access-tokens.js';
import { generateSigningKeyPem, KeyRing } from './key-ring.js';

const ISSUER = 'https://a.example';

describe('access tokens', () => {
  let dir: string;
  let ring: KeyRing;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'forge-tokens-'));
    await writeFile(join(dir, 'k.pem'), generateSigningKeyPem());
    ring = new KeyRing([join(dir, 'k.pem')], { checkMs: 0 });
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const claims = {
    issuer: ISSUER,
    audience: ISSUER,
    subject: 'b',
    scopes: ['skill:scout.find'],
    ttlSeconds: 60,
  };

  it('issues a JWT that verifies with its subject and scopes', async () => {
    const { accessToken } = await issueAccessToken(ring, claims);
    expect(looksLikeJwt(accessToken)).toBe(true);
    const verified = await verifyAccessToken(ring, accessToken, { issuer: ISSUER, audience: ISSUER });
    expect(verified.subject).toBe('b');
    expect([...verified.scopes]).toEqual(['skill:scout.find']);
  });

  it('refuses an expired token, another audience, and a key the ring no longer holds', async () => {
    const old = await issueAccessToken(ring, claims, new Date(Date.now() - 3_600_000));
    await expect(
      verifyAccessToken(ring, old.accessToken, { issuer: ISSUER, audience: ISSUER }),
    ).rejects.toThrow(/expired/);
    const other = await issueAccessToken(ring, { ...claims, audience: 'https://c.example' });
    await expect(
      verifyAccessToken(ring, other.accessToken, { issuer: ISSUER, audience: ISSUER }),
    ).rejects.toThrow(/not for this gateway/);
    const { accessToken } = await issueAccessToken(ring, claims);
    await writeFile(join(dir, 'k.pem'), generateSigningKeyPem());
    await expect(
      verifyAccessToken(ring, accessToken, { issuer: ISSUER, audience: ISSUER }),
    ).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
    await expect(verifyAccessToken(ring, 'a.b.c', { issuer: ISSUER, audience: ISSUER })).rejects.toThrow(
      /not valid/,
    );
  });
});
