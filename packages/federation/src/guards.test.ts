import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker.js';
import { RateLimiter } from './rate-limiter.js';

describe('RateLimiter', () => {
  it('allows the burst, then refuses with the wait until the next token', () => {
    let now = 0;
    const limiter = new RateLimiter(() => now);
    const limit = { perMinute: 6, burst: 2 };
    expect(limiter.take('b', limit).allowed).toBe(true);
    expect(limiter.take('b', limit).allowed).toBe(true);
    expect(limiter.take('b', limit)).toEqual({ allowed: false, retryAfterSeconds: 10 });
    expect(limiter.take('c', limit).allowed).toBe(true);
    now += 10_000;
    expect(limiter.take('b', limit).allowed).toBe(true);
    expect(limiter.take('b', limit).allowed).toBe(false);
  });
});

describe('CircuitBreaker', () => {
  it('opens after the failures in a row, lets one trial through after openMs, closes on success', () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failures: 2, openMs: 1000 }, () => now);
    breaker.admit('b');
    breaker.failure();
    breaker.admit('b');
    breaker.failure();
    expect(() => breaker.admit('b')).toThrow(/circuit is open/);
    now += 1000;
    breaker.admit('b');
    expect(() => breaker.admit('b')).toThrow(/circuit is open/);
    breaker.failure();
    expect(breaker.state).toBe('open');
    now += 1000;
    breaker.admit('b');
    breaker.success();
    expect(breaker.state).toBe('closed');
    breaker.admit('b');
  });
});
