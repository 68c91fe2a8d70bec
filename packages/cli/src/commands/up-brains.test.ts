import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ForgeError } from '@forge/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { UpOptions } from '../args.js';
import type { Io } from '../io.js';
import type { UpReport } from '../up-report.js';
import type { runUp } from './up.js';
import { runUpBrains } from './up-brains.js';

type RunBrain = typeof runUp;

/** A brain that is ready at once and runs until it is told to stop (exit 0). */
const healthy =
  (stopped: string[]): RunBrain =>
  (options, _io, hooks = {}) =>
    new Promise<number>((resolve) => {
      hooks.onReady?.({ brain: options.brain } as unknown as UpReport);
      // Stopping takes a while (its services drain), as a real brain's does.
      hooks.stop?.addEventListener('abort', () =>
        setImmediate(() => {
          stopped.push(options.brain ?? '');
          resolve(0);
        }),
      );
    });

describe('runUpBrains: brains start one after another and stop together', () => {
  let dir: string;
  let options: UpOptions;
  const io = {} as Io;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'forge-up-brains-'));
    for (const brain of ['a', 'b']) {
      await mkdir(join(dir, brain));
      await writeFile(join(dir, brain, 'federation.yaml'), 'publicUrl: http://x\n');
    }
    options = { brains: ['a', 'b'], brainsDir: dir, portBase: 41000, pgPort: 41050 } as unknown as UpOptions;
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a brain that fails to start stops the others, and the command fails once they have stopped', async () => {
    const stopped: string[] = [];
    const failing = new ForgeError('UNAVAILABLE', 'brain b: NATS did not start');
    const run: RunBrain = (o, io_, hooks) =>
      o.brain === 'a' ? healthy(stopped)(o, io_, hooks) : Promise.reject(failing);
    await expect(runUpBrains(options, io, {}, run)).rejects.toBe(failing);
    // Brain a was told to stop and had stopped before the command gave up (no unhandled rejection).
    expect(stopped).toEqual(['a']);
  });

  it('a stop while a brain is starting ends the command instead of waiting for a ready that never comes', async () => {
    const stop = new AbortController();
    const started: string[] = [];
    const run: RunBrain = (o, _io, hooks = {}) => {
      started.push(o.brain ?? '');
      // Ctrl-C during the start: this brain's run ends (130) without ever being ready.
      stop.abort();
      return new Promise<number>((resolve) => {
        if (hooks.stop?.aborted) resolve(130);
        else hooks.stop?.addEventListener('abort', () => resolve(130));
      });
    };
    const readies: unknown[] = [];
    await expect(
      runUpBrains(options, io, { stop: stop.signal, onReady: (r) => readies.push(r) }, run),
    ).resolves.toBe(130);
    expect(started).toEqual(['a']);
    expect(readies).toEqual([]);
  });

  it('when every brain is ready it reports ready, and exits 0 once stopped', async () => {
    const stop = new AbortController();
    const stopped: string[] = [];
    const readies: unknown[] = [];
    const done = runUpBrains(
      options,
      io,
      {
        stop: stop.signal,
        onReady: (r) => {
          readies.push(r);
          stop.abort();
        },
      },
      healthy(stopped),
    );
    await expect(done).resolves.toBe(0);
    expect(readies).toEqual([{ brain: 'b' }]);
    expect(stopped.sort()).toEqual(['a', 'b']);
  });
});
