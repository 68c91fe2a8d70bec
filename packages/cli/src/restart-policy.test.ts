import { describe, expect, it } from 'vitest';
import { decideRestart, type RestartPolicy } from './restart-policy.js';

const policy: RestartPolicy = { initialDelayMs: 500, maxDelayMs: 4_000, maxCrashes: 5, windowMs: 60_000 };

describe('decideRestart', () => {
  it('doubles the delay with each crash in the window, up to the cap', () => {
    const delays = [1, 2, 3, 4].map((n) => {
      const times = Array.from({ length: n }, (_, i) => 1_000 + i);
      const decision = decideRestart(times, 2_000, policy);
      return decision.restart ? decision.delayMs : null;
    });
    expect(delays).toEqual([500, 1_000, 2_000, 4_000]);
  });

  it('gives up at the crash limit within the window', () => {
    const times = [1, 2, 3, 4, 5].map((i) => 10_000 + i);
    expect(decideRestart(times, 10_010, policy)).toEqual({ restart: false, crashes: 5 });
  });

  it('forgets crashes older than the window', () => {
    const times = [0, 1, 2, 3, 100_000];
    expect(decideRestart(times, 100_000, policy)).toEqual({ restart: true, delayMs: 500, crashes: 1 });
  });
});
