import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkReadiness } from './readiness.js';

describe('checkReadiness', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reports every check and leaves no timer behind once Postgres answered', async () => {
    vi.useFakeTimers();
    const readiness = await checkReadiness({
      accepting: () => true,
      natsConnected: () => false,
      pingPostgres: async () => undefined,
    });
    expect(readiness).toEqual({ ready: false, checks: { accepting: true, nats: false, postgres: true } });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('says "timed out" when Postgres does not answer within a second', async () => {
    vi.useFakeTimers();
    const pending = checkReadiness({
      accepting: () => true,
      natsConnected: () => true,
      pingPostgres: () => new Promise(() => undefined),
    });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await pending).toEqual({
      ready: false,
      checks: { accepting: true, nats: true, postgres: 'timed out' },
    });
  });
});
