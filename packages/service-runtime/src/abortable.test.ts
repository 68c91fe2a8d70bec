import { describe, expect, it } from 'vitest';
import { untilAborted } from './abortable.js';

describe('untilAborted', () => {
  it('settles with the work when it ends first', async () => {
    await expect(untilAborted(Promise.resolve(7), new AbortController().signal)).resolves.toBe(7);
    await expect(untilAborted(Promise.reject(new Error('no')), new AbortController().signal)).rejects.toThrow(
      'no',
    );
  });

  it('rejects with the signal reason on abort, and handles the work failing later', async () => {
    const controller = new AbortController();
    let fail: (error: Error) => void = () => {};
    const work = new Promise<number>((_, reject) => (fail = reject));
    const waiting = untilAborted(work, controller.signal);
    controller.abort(new Error('stopped'));
    await expect(waiting).rejects.toThrow('stopped');
    // A rejection after the abort must not surface as an unhandled rejection (vitest fails on one).
    fail(new Error('late'));
    await new Promise((resolve) => setTimeout(resolve, 10));
  });

  it('rejects at once when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort('gone');
    await expect(untilAborted(new Promise(() => undefined), controller.signal)).rejects.toBe('gone');
  });
});
