import { describe, expect, it } from 'vitest';
import { linkedSignal } from './linked-signal.js';

describe('linkedSignal', () => {
  it('aborts with the reason of the source that aborted first', () => {
    const a = new AbortController();
    const b = new AbortController();
    const linked = linkedSignal([a.signal, b.signal]);
    b.abort('b went');
    a.abort('a went');
    expect(linked.signal.aborted).toBe(true);
    expect(linked.signal.reason).toBe('b went');
  });

  it('is aborted at once when a source already is', () => {
    const a = new AbortController();
    a.abort('early');
    expect(linkedSignal([a.signal]).signal.reason).toBe('early');
  });

  it('aborts with the timeout reason, and not after dispose', async () => {
    const timed = linkedSignal([], { ms: 10, reason: () => 'too slow' });
    await new Promise((resolve) => timed.signal.addEventListener('abort', resolve, { once: true }));
    expect(timed.signal.reason).toBe('too slow');

    const source = new AbortController();
    const released = linkedSignal([source.signal], { ms: 10, reason: () => 'too slow' });
    released.dispose();
    released.dispose();
    source.abort('later');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(released.signal.aborted).toBe(false);
  });

  it('leaves no listener on a long-lived source once disposed', () => {
    const added: unknown[] = [];
    const removed: unknown[] = [];
    const source = new AbortController().signal;
    const add = source.addEventListener.bind(source);
    const remove = source.removeEventListener.bind(source);
    source.addEventListener = ((type: string, listener: never, opts?: never) => {
      added.push(listener);
      add(type as 'abort', listener, opts);
    }) as typeof source.addEventListener;
    source.removeEventListener = ((type: string, listener: never) => {
      removed.push(listener);
      remove(type as 'abort', listener);
    }) as typeof source.removeEventListener;
    for (let i = 0; i < 100; i++) linkedSignal([source]).dispose();
    expect(added).toHaveLength(100);
    expect(removed).toEqual(added);
  });
});
