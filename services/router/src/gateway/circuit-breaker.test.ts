import { describe, expect, it } from 'vitest';
import { CircuitBreakers } from './circuit-breaker.js';

function clock() {
  let now = 1_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('CircuitBreakers', () => {
  it('opens after the threshold within the window, probes once after the cool-down, closes on success', () => {
    const time = clock();
    const breakers = new CircuitBreakers(
      { failureThreshold: 3, windowMs: 1_000, cooldownMs: 5_000 },
      time.now,
    );
    breakers.onFailure('m');
    breakers.onFailure('m');
    expect(breakers.tryAcquire('m')).toBe(true);
    breakers.onFailure('m');
    expect(breakers.state('m')).toBe('open');
    expect(breakers.tryAcquire('m')).toBe(false);
    time.advance(5_000);
    expect(breakers.state('m')).toBe('half-open');
    expect(breakers.tryAcquire('m')).toBe(true);
    expect(breakers.tryAcquire('m')).toBe(false);
    breakers.onSuccess('m');
    expect(breakers.state('m')).toBe('closed');
    expect(breakers.tryAcquire('m')).toBe(true);
  });

  it('forgets failures older than the window', () => {
    const time = clock();
    const breakers = new CircuitBreakers(
      { failureThreshold: 2, windowMs: 1_000, cooldownMs: 5_000 },
      time.now,
    );
    breakers.onFailure('m');
    time.advance(1_500);
    breakers.onFailure('m');
    expect(breakers.state('m')).toBe('closed');
  });

  it('reopens for a full cool-down when the probe fails, and keeps models apart', () => {
    const time = clock();
    const breakers = new CircuitBreakers({ failureThreshold: 1, windowMs: 1_000, cooldownMs: 100 }, time.now);
    breakers.onFailure('a');
    expect(breakers.state('b')).toBe('closed');
    time.advance(100);
    expect(breakers.tryAcquire('a')).toBe(true);
    breakers.onFailure('a');
    expect(breakers.state('a')).toBe('open');
    time.advance(99);
    expect(breakers.tryAcquire('a')).toBe(false);
    time.advance(1);
    expect(breakers.tryAcquire('a')).toBe(true);
  });
});
