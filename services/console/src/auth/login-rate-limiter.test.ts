import { describe, expect, it } from 'vitest';
import { LoginRateLimiter } from './login-rate-limiter.js';

describe('LoginRateLimiter', () => {
  it('lets a client try N times a minute, then refuses it until the oldest attempt is a minute old', () => {
    const limiter = new LoginRateLimiter(3);
    const t0 = 1_000_000;
    expect([0, 1, 2].map((i) => limiter.allow('a', t0 + i * 1000))).toEqual([true, true, true]);
    expect(limiter.allow('a', t0 + 3000)).toBe(false);
    expect(limiter.allow('b', t0 + 3000)).toBe(true);
    expect(limiter.retryAt('a', t0 + 3000)).toBe(t0 + 60_000);
    expect(limiter.allow('a', t0 + 60_001)).toBe(true);
  });
});
