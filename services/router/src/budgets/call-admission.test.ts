import { isForgeError } from '@forge/contracts';
import { describe, expect, it, vi } from 'vitest';
import { CallAdmission, type CallPermit } from './call-admission.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('CallAdmission', () => {
  it('runs at most maxInFlight, queues maxQueued in order, refuses the rest at once as OVERLOADED', async () => {
    const onRefused = vi.fn();
    const admission = new CallAdmission({ maxInFlight: 2, maxQueued: 2, onRefused });
    const deadline = Date.now() + 5_000;
    const a = await admission.acquire(deadline, 'http');
    const b = await admission.acquire(deadline, 'nats');
    const order: string[] = [];
    const c = admission.acquire(deadline, 'http').then((p) => {
      order.push('c');
      return p;
    });
    const d = admission.acquire(deadline, 'nats').then((p) => {
      order.push('d');
      return p;
    });
    const refused = await admission.acquire(deadline, 'http').catch((e: unknown) => e);
    expect(isForgeError(refused, 'OVERLOADED')).toBe(true);
    expect((refused as Error).message).toMatch(/admission queue full.*2 calls running and 2 waiting/);
    expect(refused).toMatchObject({ retryable: true, details: { reason: 'queue_full' } });
    expect(onRefused).toHaveBeenCalledWith('http', 'queue_full');
    expect([admission.inFlight, admission.queued]).toEqual([2, 2]);
    a.release();
    a.release(); // a second release is a no-op
    const permitC = await c;
    expect([admission.inFlight, admission.queued]).toEqual([2, 1]);
    b.release();
    const permitD = await d;
    expect(order).toEqual(['c', 'd']);
    permitC.release();
    permitD.release();
    expect([admission.inFlight, admission.queued]).toEqual([0, 0]);
    expect(admission.counts).toEqual({ admitted: 4, refused: { queue_full: 1, deadline: 0 } });
  });

  it('a waiter gives up at its own deadline, and its place goes to the next', async () => {
    const admission = new CallAdmission({ maxInFlight: 1, maxQueued: 4 });
    const running = await admission.acquire(Date.now() + 5_000, 'http');
    const started = Date.now();
    const short = admission.acquire(Date.now() + 80, 'nats').catch((e: unknown) => e);
    const long = admission.acquire(Date.now() + 5_000, 'nats');
    const error = await short;
    expect(Date.now() - started).toBeGreaterThanOrEqual(70);
    expect(isForgeError(error, 'OVERLOADED')).toBe(true);
    expect((error as Error).message).toMatch(
      /could not finish before its deadline.*deadline passed after \d+ ms/,
    );
    expect(admission.queued).toBe(1);
    running.release();
    (await long).release();
    expect(admission.counts.refused.deadline).toBe(1);
  });

  it('never starts a queued call whose time left is below how long calls take here', async () => {
    const admission = new CallAdmission({ maxInFlight: 1, maxQueued: 4 });
    // Teach it that calls take ~150 ms.
    const first = await admission.acquire(Date.now() + 5_000, 'http');
    await sleep(150);
    first.release();
    const running = await admission.acquire(Date.now() + 5_000, 'http');
    // 100 ms left is less than a call takes: refused at once rather than queued to fail.
    const tooShort = await admission.acquire(Date.now() + 100, 'http').catch((e: unknown) => e);
    expect((tooShort as Error).message).toMatch(
      /could not finish before its deadline.*calls here take about \d+ ms/,
    );
    // 300 ms left when queued, ~140 ms left when the slot frees: refused at the hand-over.
    const queued = admission.acquire(Date.now() + 300, 'nats').catch((e: unknown) => e);
    await sleep(160);
    running.release();
    const handedOver = await queued;
    expect(isForgeError(handedOver, 'OVERLOADED')).toBe(true);
    expect(handedOver).toMatchObject({ details: { reason: 'deadline' } });
    expect(admission.inFlight).toBe(0);
  });

  it('lets a caller that leaves out of the queue (CANCELED) and refuses a deadline already past', async () => {
    const admission = new CallAdmission({ maxInFlight: 1, maxQueued: 1 });
    const running: CallPermit = await admission.acquire(Date.now() + 5_000, 'http');
    const abort = new AbortController();
    const waiting = admission.acquire(Date.now() + 5_000, 'http', abort.signal).catch((e: unknown) => e);
    abort.abort();
    expect(isForgeError(await waiting, 'CANCELED')).toBe(true);
    expect(admission.queued).toBe(0);
    running.release();
    const late = await admission.acquire(Date.now() - 1, 'http').catch((e: unknown) => e);
    expect((late as Error).message).toMatch(/deadline had already passed/);
    expect(admission.inFlight).toBe(0);
  });

  it('estimates Retry-After from the queue ahead and the recent pace, at least one second', async () => {
    const admission = new CallAdmission({ maxInFlight: 1, maxQueued: 0 });
    const held = await admission.acquire(Date.now() + 5_000, 'http');
    const refused = await admission.acquire(Date.now() + 5_000, 'http').catch((e: unknown) => e);
    expect(refused).toMatchObject({ details: { retryAfterSeconds: 1 } });
    held.release();
  });

  it('at shutdown refuses every queued call and every new one as OVERLOADED (reason stopping); running calls keep their slots', async () => {
    const admission = new CallAdmission({ maxInFlight: 1, maxQueued: 4 });
    const deadline = Date.now() + 5_000;
    const running = await admission.acquire(deadline, 'nats');
    const queued = [admission.acquire(deadline, 'http'), admission.acquire(deadline, 'nats')].map((p) =>
      p.catch((e: unknown) => e),
    );
    expect(admission.queued).toBe(2);
    admission.close();
    for (const refused of await Promise.all(queued)) {
      expect(isForgeError(refused, 'OVERLOADED')).toBe(true);
      expect(refused).toMatchObject({ retryable: true, details: { reason: 'stopping' } });
    }
    expect([admission.inFlight, admission.queued]).toEqual([1, 0]);
    // The slot the running call frees goes to no one; a new call is refused at once.
    running.release();
    expect(admission.inFlight).toBe(0);
    const late = await admission.acquire(deadline, 'http').catch((e: unknown) => e);
    expect(isForgeError(late, 'OVERLOADED')).toBe(true);
    expect(late).toMatchObject({ details: { reason: 'stopping' } });
    expect(admission.counts.admitted).toBe(1);
    admission.close();
  });
});
