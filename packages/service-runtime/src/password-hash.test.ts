import { describe, expect, it } from 'vitest';
import { hashPassword, PasswordHash } from './password-hash.js';

describe('password hashes', () => {
  it('verifies the password it was made from and refuses any other', async () => {
    const text = await hashPassword('correct horse battery staple');
    expect(text).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(text).not.toContain('horse');
    const hash = PasswordHash.parse(text, 'FORGE_CONSOLE_PASSWORD_HASH');
    expect(await hash.verify('correct horse battery staple')).toBe(true);
    expect(await hash.verify('correct horse battery stapl')).toBe(false);
    expect(await hash.verify('')).toBe(false);
  });

  it('salts: the same password twice gives two different hashes', async () => {
    expect(await hashPassword('same')).not.toBe(await hashPassword('same'));
  });

  it('refuses a malformed or weak hash, naming where it came from', () => {
    expect(() => PasswordHash.parse('plain-password', 'FORGE_CONSOLE_PASSWORD_HASH')).toThrow(
      /FORGE_CONSOLE_PASSWORD_HASH: must be a scrypt hash/,
    );
    const weak = `scrypt$1024$8$1$${'A'.repeat(22)}$${'B'.repeat(43)}`;
    expect(() => PasswordHash.parse(weak, 'file x')).toThrow(/file x: scrypt parameters too weak/);
  });
});
