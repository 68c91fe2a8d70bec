import { Writable } from 'node:stream';
import { ForgeError } from '@forge/contracts';
import { createLogger } from '@forge/telemetry';
import { type TestBrain, testBrain } from '@forge/testkit';
import { jetstreamManager, RetentionPolicy } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Bus } from './bus.js';
import { DEAD_LETTER_MAX_AGE_MS, DUPLICATE_WINDOW_MS, EVENTS_MAX_AGE_MS } from './streams.js';

const quiet = createLogger({ name: 'bus-test', level: 'silent' });
const Ping = z.object({ n: z.number().int() });
const Pong = z.object({ doubled: z.number().int() });

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

/** A logger whose lines the test can read. */
function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      callback();
    },
  });
  return { logger: createLogger({ name: 'bus-test', level: 'debug', destination }), lines };
}

let brain: TestBrain;
const buses: Bus[] = [];

async function connectBus(logger = quiet): Promise<Bus> {
  const bus = await Bus.connect({ servers: brain.natsUrl, name: 'bus-test', brain: brain.name, logger });
  buses.push(bus);
  return bus;
}

beforeEach(async () => {
  brain = await testBrain('bus');
});
afterEach(async () => {
  await Promise.all(buses.splice(0).map((bus) => bus.drain()));
  await brain.cleanup();
});

describe('Bus.ensureStreams', () => {
  it('creates the three streams once, even when two processes race', async () => {
    const [a, b] = [await connectBus(), await connectBus()];
    await Promise.all([a.ensureStreams(), b.ensureStreams(), a.ensureStreams()]);

    const jsm = await jetstreamManager(a.nc);
    const { tasks, deadLetter, events } = a.subjects.streams;
    const taskCfg = (await jsm.streams.info(tasks.name)).config;
    expect(taskCfg).toMatchObject({
      subjects: tasks.subjects,
      retention: RetentionPolicy.Workqueue,
      storage: 'file',
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    });
    expect((await jsm.streams.info(deadLetter.name)).config).toMatchObject({
      retention: RetentionPolicy.Limits,
      max_age: nanos(DEAD_LETTER_MAX_AGE_MS),
    });
    expect((await jsm.streams.info(events.name)).config).toMatchObject({
      retention: RetentionPolicy.Limits,
      max_age: nanos(EVENTS_MAX_AGE_MS),
    });
  });

  it('updates a drifted setting in place and refuses a retention it cannot change', async () => {
    const bus = await connectBus();
    const jsm = await jetstreamManager(bus.nc);
    const { tasks, events } = bus.subjects.streams;
    await jsm.streams.add({
      name: tasks.name,
      subjects: [...tasks.subjects],
      duplicate_window: nanos(10_000),
    });
    await expect(bus.ensureStreams()).rejects.toMatchObject({ code: 'BAD_CONFIG' });

    await jsm.streams.delete(tasks.name);
    await jsm.streams.add({
      name: events.name,
      subjects: [...events.subjects],
      max_age: nanos(60_000),
      retention: RetentionPolicy.Limits,
    });
    await bus.ensureStreams();
    expect((await jsm.streams.info(events.name)).config.max_age).toBe(nanos(EVENTS_MAX_AGE_MS));
  });
});

describe('Bus.publish', () => {
  it('refuses a payload that fails the schema with BAD_INPUT naming the field, publishing nothing', async () => {
    const bus = await connectBus();
    await bus.ensureStreams();
    const subject = bus.subjects.taskRun('worker');
    await expect(bus.publish(subject, Ping, { n: 'one' as unknown as number })).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringContaining('n: '),
    });
    const jsm = await jetstreamManager(bus.nc);
    expect((await jsm.streams.info(bus.subjects.streams.tasks.name)).state.messages).toBe(0);
  });

  it('is UNAVAILABLE when no stream takes the subject', async () => {
    const bus = await connectBus();
    await expect(bus.publish(bus.subjects.taskRoute, Ping, { n: 1 })).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      retryable: true,
    });
  });
});

describe('Bus.emit / subscribe', () => {
  it('delivers valid messages and logs and skips invalid ones, naming the field', async () => {
    const { logger, lines } = capturingLogger();
    const bus = await connectBus(logger);
    const subject = bus.subjects.status('t1');
    const received: number[] = [];
    const second = deferred();
    const sub = bus.subscribe(subject, Ping, (value, meta) => {
      received.push(value.n);
      expect(meta.subject).toBe(subject);
      if (value.n === 2) second.resolve();
    });
    bus.emit(subject, Ping, { n: 1 });
    bus.nc.publish(subject, JSON.stringify({ n: 'bad' }));
    bus.nc.publish(subject, 'not json');
    bus.emit(subject, Ping, { n: 2 });
    expect(() => bus.emit(subject, Ping, { n: 1.5 })).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));

    await within(second.promise, 5000, 'the second valid message');
    sub.unsubscribe();
    expect(received).toEqual([1, 2]);
    const skipped = lines.filter((line) => line.msg === 'invalid message skipped');
    expect(skipped.map((line) => String(line.reason))).toEqual([
      expect.stringMatching(/^n: /),
      expect.stringContaining('not JSON'),
    ]);
  });

  it('sends a checked payload without a second pass, and the subscriber still refuses a bad one', async () => {
    const { logger, lines } = capturingLogger();
    const bus = await connectBus(logger);
    const subject = bus.subjects.status('t2');
    const received: number[] = [];
    const last = deferred();
    const sub = bus.subscribe(subject, Ping, (value) => {
      received.push(value.n);
      if (value.n === 3) last.resolve();
    });
    bus.emit(subject, Ping, { n: 1.5 }, { checked: true });
    bus.emit(subject, Ping, { n: 3 }, { checked: true });
    await within(last.promise, 5000, 'the checked message');
    sub.unsubscribe();
    expect(received).toEqual([3]);
    expect(lines.filter((line) => line.msg === 'invalid message skipped')).toHaveLength(1);
  });

  it("sends batched emits on the next turn, in order, after this turn's direct ones; drain sends what is queued", async () => {
    const [sender, listener] = [await connectBus(), await connectBus()];
    const subject = sender.subjects.status('t3');
    const received: number[] = [];
    const last = deferred();
    const sub = listener.subscribe(subject, Ping, (value) => {
      received.push(value.n);
      if (value.n === 4) last.resolve();
    });
    await sub.ready;
    sender.emit(subject, Ping, { n: 1 }, { batched: true });
    sender.emit(subject, Ping, { n: 2 }, { checked: true, batched: true });
    sender.emit(subject, Ping, { n: 3 });
    // Still validated (and refused) at once when batched.
    expect(() => sender.emit(subject, Ping, { n: 1.5 }, { batched: true })).toThrow(
      expect.objectContaining({ code: 'BAD_INPUT' }),
    );
    sender.emit(subject, Ping, { n: 4 }, { batched: true });
    // Drained in the same turn: the queued emits still go out before the connection closes.
    await within(sender.drain(), 5000, 'drain()');
    await within(last.promise, 5000, 'the last batched message');
    sub.unsubscribe();
    expect(received).toEqual([3, 1, 2, 4]);
    expect(() => sender.emit(subject, Ping, { n: 5 }, { batched: true })).toThrow(
      expect.objectContaining({ code: 'UNAVAILABLE' }),
    );
  });
});

describe('Bus.request / serve', () => {
  it('answers a valid request with the validated reply', async () => {
    const [server, client] = [await connectBus(), await connectBus()];
    const subject = server.subjects.modelCall;
    await server.serve(subject, Ping, Pong, async (req) => ({ doubled: req.n * 2 })).ready;
    expect(await client.request(subject, Ping, { n: 21 }, Pong)).toEqual({ doubled: 42 });
  });

  it('rethrows a handler ForgeError with its code, retryable flag and details', async () => {
    const [server, client] = [await connectBus(), await connectBus()];
    const subject = server.subjects.modelCall;
    await server.serve(subject, Ping, Pong, async () => {
      throw new ForgeError('BUDGET_EXHAUSTED', 'monthly budget spent', {
        retryable: false,
        details: { tier: 'frontier' },
      });
    }).ready;
    const error = await client.request(subject, Ping, { n: 1 }, Pong).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForgeError);
    expect(error).toMatchObject({
      code: 'BUDGET_EXHAUSTED',
      message: 'monthly budget spent',
      retryable: false,
      details: { tier: 'frontier' },
    });
  });

  it('answers an unexpected error with INTERNAL and no detail, and a bad request with BAD_INPUT naming the field', async () => {
    const [server, client] = [await connectBus(), await connectBus()];
    const subject = server.subjects.modelCall;
    await server.serve(subject, Ping, Pong, async (req) => {
      if (req.n === 0) throw new Error('secret connection string in here');
      return { doubled: req.n * 2 };
    }).ready;
    const internal = await client.request(subject, Ping, { n: 0 }, Pong).catch((e: unknown) => e);
    expect(internal).toMatchObject({ code: 'INTERNAL' });
    expect((internal as Error).message).not.toContain('secret');

    const Loose = z.object({ n: z.unknown() });
    await expect(client.request(subject, Loose, { n: 'x' }, Pong)).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringContaining('n: '),
    });
  });

  it('is UNAVAILABLE and retryable with no responders or no reply in time', async () => {
    const [server, client] = [await connectBus(), await connectBus()];
    await expect(client.request(server.subjects.modelCall, Ping, { n: 1 }, Pong)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      retryable: true,
      message: expect.stringContaining('no responders'),
    });

    const never = deferred<{ doubled: number }>();
    const served = server.serve(server.subjects.modelCall, Ping, Pong, () => never.promise);
    await served.ready;
    await expect(
      client.request(server.subjects.modelCall, Ping, { n: 1 }, Pong, { timeoutMs: 150 }),
    ).rejects.toMatchObject({ code: 'UNAVAILABLE', retryable: true });
    never.resolve({ doubled: 2 });
    await served.stop();
  });
});

describe('Bus.drain', () => {
  it('finishes a reply in progress, then closes the connection', async () => {
    const [server, client] = [await connectBus(), await connectBus()];
    const subject = server.subjects.modelCall;
    const started = deferred();
    const finish = deferred();
    await server.serve(subject, Ping, Pong, async (req) => {
      started.resolve();
      await finish.promise;
      return { doubled: req.n * 2 };
    }).ready;
    const reply = client.request(subject, Ping, { n: 4 }, Pong);
    await within(started.promise, 5000, 'the handler');

    const drained = server.drain();
    finish.resolve();
    expect(await within(reply, 5000, 'the reply')).toEqual({ doubled: 8 });
    await within(drained, 5000, 'drain()');
    expect(server.isConnected()).toBe(false);
    expect(server.nc.isClosed()).toBe(true);
    expect(() => server.emit(server.subjects.status('t'), Ping, { n: 1 })).toThrow(
      expect.objectContaining({ code: 'UNAVAILABLE' }),
    );
  });
});
