import { Writable } from 'node:stream';
import { createLogger } from '@forge/telemetry';
import { type TestBrain, testBrain } from '@forge/testkit';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { Bus } from './bus.js';

// `serve` sends its replies through the connection's outbox: the replies finished in one turn of
// the event loop leave in one socket write, after what the handlers sent before them.

const quiet = createLogger({ name: 'serve-replies-test', level: 'silent' });
const Ping = z.object({ n: z.number().int() });
const Pong = z.object({ doubled: z.number().int() });
const Chunk = z.object({ n: z.number().int(), i: z.number().int() });

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A logger whose lines the test can read. */
function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      callback();
    },
  });
  return { logger: createLogger({ name: 'serve-replies-test', level: 'debug', destination }), lines };
}

/**
 * Counts the socket writes of a bus's connection: nats.js hands each flush of its outbound buffer
 * to the transport's `send`, one write each.
 */
function countWrites(bus: Bus): () => number {
  const protocol = (bus.nc as unknown as { protocol: { transport: { send(frame: Uint8Array): void } } })
    .protocol;
  const spy = vi.spyOn(protocol.transport, 'send');
  return () => spy.mock.calls.length;
}

let brain: TestBrain;
const buses: Bus[] = [];

async function connectBus(opts: { logger?: typeof quiet; coalesceReplies?: boolean } = {}): Promise<Bus> {
  const bus = await Bus.connect({
    servers: brain.natsUrl,
    name: 'serve-replies-test',
    brain: brain.name,
    logger: opts.logger ?? quiet,
    ...(opts.coalesceReplies === undefined ? {} : { coalesceReplies: opts.coalesceReplies }),
  });
  buses.push(bus);
  return bus;
}

beforeEach(async () => {
  brain = await testBrain('replies');
});
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.allSettled(buses.splice(0).map((bus) => bus.drain()));
  await brain.cleanup();
});

/**
 * Serves `count` requests that all wait for one release and then finish in separate callbacks of
 * the same turn (as replies do when their upstream responses arrive on separate sockets), and
 * returns the replies and how many socket writes the server made to send them.
 */
async function answerTogether(server: Bus, client: Bus, count: number) {
  const subject = server.subjects.modelCall;
  const release = deferred();
  let started = 0;
  const allStarted = deferred();
  await server.serve(subject, Ping, Pong, async (req) => {
    if (++started === count) allStarted.resolve();
    await release.promise;
    // Each continuation resumes in a check-phase callback of its own, with its own microtask checkpoint.
    await nextTurn();
    return { doubled: req.n * 2 };
  }).ready;
  const replies = Array.from({ length: count }, (_, n) => client.request(subject, Ping, { n }, Pong));
  await within(allStarted.promise, 5000, 'every handler to start');
  const writes = countWrites(server);
  release.resolve();
  const answered = await within(Promise.all(replies), 5000, 'the replies');
  return { answered, writes: writes() };
}

describe('Bus.serve replies', () => {
  it('answers requests finished in one turn each with its own reply, in one socket write', async () => {
    const [server, client] = [await connectBus(), await connectBus()];
    const { answered, writes } = await answerTogether(server, client, 8);
    expect(answered).toEqual(Array.from({ length: 8 }, (_, n) => ({ doubled: n * 2 })));
    expect(writes).toBe(1);
  });

  it('without coalescing writes each reply on its own (what the outbox saves)', async () => {
    const [server, client] = [await connectBus({ coalesceReplies: false }), await connectBus()];
    const { answered, writes } = await answerTogether(server, client, 8);
    expect(answered).toEqual(Array.from({ length: 8 }, (_, n) => ({ doubled: n * 2 })));
    expect(writes).toBe(8);
  });

  it('sends a reply after the chunks and status events its handler emitted, direct or batched', async () => {
    const [server, client] = [await connectBus(), await connectBus()];
    const subject = server.subjects.modelCall;
    const chunks = (n: number) => server.subjects.status(`stream-${n}`);
    const seen: string[] = [];
    const subs = [0, 1, 2, 3].map((n) =>
      client.subscribe(chunks(n), Chunk, (chunk) => seen.push(`${chunk.n}:${chunk.i}`)),
    );
    await Promise.all(subs.map((s) => s.ready));
    await server.serve(subject, Ping, Pong, async (req) => {
      // As the model gateway streams: direct chunks as deltas arrive, across turns, then the reply.
      server.emit(chunks(req.n), Chunk, { n: req.n, i: 0 });
      await nextTurn();
      server.emit(chunks(req.n), Chunk, { n: req.n, i: 1 });
      server.emit(chunks(req.n), Chunk, { n: req.n, i: 2 }, { batched: true });
      server.emit(chunks(req.n), Chunk, { n: req.n, i: 3 });
      return { doubled: req.n * 2 };
    }).ready;
    await within(
      Promise.all(
        [0, 1, 2, 3].map(async (n) => {
          expect(await client.request(subject, Ping, { n }, Pong)).toEqual({ doubled: n * 2 });
          seen.push(`${n}:reply`);
        }),
      ),
      5000,
      'the replies',
    );
    for (const sub of subs) sub.unsubscribe();
    for (const n of [0, 1, 2, 3]) {
      const mine = seen.filter((entry) => entry.startsWith(`${n}:`));
      // Direct chunks in order; the batched one after this turn's direct ones (see `emit`); the reply last.
      expect(mine).toEqual([`${n}:0`, `${n}:1`, `${n}:3`, `${n}:2`, `${n}:reply`]);
    }
  });

  it('drain sends the replies still queued before the connection closes', async () => {
    const [server, client] = [await connectBus(), await connectBus()];
    const subject = server.subjects.modelCall;
    const finish = deferred();
    let started = 0;
    const allStarted = deferred();
    await server.serve(subject, Ping, Pong, async (req) => {
      if (++started === 6) allStarted.resolve();
      await finish.promise;
      return { doubled: req.n * 2 };
    }).ready;
    const replies = Array.from({ length: 6 }, (_, n) => client.request(subject, Ping, { n }, Pong));
    await within(allStarted.promise, 5000, 'every handler to start');
    const drained = server.drain();
    finish.resolve();
    expect(await within(Promise.all(replies), 5000, 'the replies')).toEqual(
      Array.from({ length: 6 }, (_, n) => ({ doubled: n * 2 })),
    );
    await within(drained, 5000, 'drain()');
    expect(server.nc.isClosed()).toBe(true);
  });

  it('a stopped serve has sent its queued replies when stop() resolves', async () => {
    const [server, client] = [await connectBus(), await connectBus()];
    const subject = server.subjects.modelCall;
    const finish = deferred();
    const started = deferred();
    const served = server.serve(subject, Ping, Pong, async (req) => {
      started.resolve();
      await finish.promise;
      return { doubled: req.n * 2 };
    });
    await served.ready;
    const reply = client.request(subject, Ping, { n: 5 }, Pong);
    await within(started.promise, 5000, 'the handler');
    const sentBefore = server.nc.stats().outMsgs;
    const stopped = served.stop();
    // Let stop() drain the subscription (a round trip) and wait for the handler in progress.
    await new Promise((resolve) => setTimeout(resolve, 200));
    finish.resolve();
    await within(stopped, 5000, 'stop()');
    // Still in the turn the handler returned in: the reply was handed to the connection by stop()
    // itself, not left in the outbox for the next turn.
    expect(server.nc.stats().outMsgs).toBe(sentBefore + 1);
    expect(await within(reply, 5000, 'the reply')).toEqual({ doubled: 10 });
  });

  it('a reply after the connection closed fails clearly: an error naming the subject, the caller UNAVAILABLE', async () => {
    const { logger, lines } = capturingLogger();
    const [server, client] = [await connectBus({ logger }), await connectBus()];
    const subject = server.subjects.modelCall;
    const finish = deferred();
    const started = deferred();
    const answered = deferred();
    await server.serve(subject, Ping, Pong, async (req) => {
      started.resolve();
      await finish.promise;
      setImmediate(() => answered.resolve());
      return { doubled: req.n * 2 };
    }).ready;
    const reply = client.request(subject, Ping, { n: 1 }, Pong, { timeoutMs: 1500 });
    await within(started.promise, 5000, 'the handler');
    await server.nc.close();
    finish.resolve();
    await within(answered.promise, 5000, 'the handler to return');
    await within(
      (async () => {
        while (!lines.some((l) => l.msg === 'could not answer a request')) await nextTurn();
      })(),
      5000,
      'the error log line',
    );
    const line = lines.find((l) => l.msg === 'could not answer a request');
    expect(line).toMatchObject({ level: 50, subject, err: expect.stringContaining('connection is closed') });
    await expect(reply).rejects.toMatchObject({ code: 'UNAVAILABLE', retryable: true });
  });
});

describe('Bus.request batched', () => {
  it('sends the requests started in one turn in one socket write, each answered with its own reply', async () => {
    const [server, client] = [await connectBus(), await connectBus()];
    const subject = server.subjects.modelCall;
    await server.serve(subject, Ping, Pong, async (req) => ({ doubled: req.n * 2 })).ready;
    await client.request(subject, Ping, { n: 0 }, Pong); // the reply inbox's SUB is in place
    const writes = countWrites(client);
    // Started from separate callbacks of one turn, as an agent's tasks start their model calls.
    const replies = await within(
      Promise.all(
        Array.from(
          { length: 6 },
          (_, n) =>
            new Promise((resolve, reject) =>
              setImmediate(() =>
                client.request(subject, Ping, { n }, Pong, { batched: true }).then(resolve, reject),
              ),
            ),
        ),
      ),
      5000,
      'the replies',
    );
    expect(replies).toEqual(Array.from({ length: 6 }, (_, n) => ({ doubled: n * 2 })));
    expect(writes()).toBe(1);
  });

  it('refuses a bad payload and a closed connection at once, and times out like a direct request', async () => {
    const [server, client] = [await connectBus(), await connectBus()];
    const subject = server.subjects.modelCall;
    await expect(client.request(subject, Ping, { n: 1.5 }, Pong, { batched: true })).rejects.toMatchObject({
      code: 'BAD_INPUT',
    });
    const never = deferred<{ doubled: number }>();
    const served = server.serve(subject, Ping, Pong, () => never.promise);
    await served.ready;
    await expect(
      client.request(subject, Ping, { n: 1 }, Pong, { batched: true, timeoutMs: 150 }),
    ).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      retryable: true,
      message: expect.stringContaining('timed out'),
    });
    never.resolve({ doubled: 2 });
    await served.stop();
    await client.nc.close();
    await expect(client.request(subject, Ping, { n: 1 }, Pong, { batched: true })).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringContaining('connection is closed'),
    });
  });
});
