import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ForgeError, HEADERS } from '@forge/contracts';
import { createLogger, withMetricsEndpoint, withSpan } from '@forge/telemetry';
import { startTelemetry, type Telemetry } from '@forge/telemetry-sdk';
import { parsePrometheusText, sampleSum, type TestBrain, testBrain } from '@forge/testkit';
import { jetstream, jetstreamManager, type StoredMsg } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { trace } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Bus } from './bus.js';
import type { ConsumeSpec, MessageContext, TaskConsumer } from './consume-spec.js';

const Job = z.object({ id: z.string(), n: z.number().int() });
type Job = z.output<typeof Job>;

const quiet = createLogger({ name: 'bus-test', level: 'silent' });

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Resolves with `promise`, or fails the test after `ms` saying what never happened. */
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

async function waitFor(check: () => Promise<boolean> | boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let telemetry: Telemetry;
let brain: TestBrain;
let bus: Bus;
const stops: Array<() => Promise<void>> = [];

beforeAll(() => {
  // The service SDK (context manager, W3C propagator, a recording tracer provider, the metrics
  // pipeline with its Prometheus scrape), exporting nothing.
  telemetry = startTelemetry({
    serviceName: 'bus-test',
    serviceVersion: '0.0.0',
    namespace: 'test',
    environment: 'test',
    metricExportIntervalMs: 60_000,
    metrics: { host: '127.0.0.1' },
    traceDetail: 'quiet',
  });
});
afterAll(async () => {
  await telemetry.shutdown();
});

beforeEach(async () => {
  brain = await testBrain('bus');
  bus = await Bus.connect({ servers: brain.natsUrl, name: 'bus-test', brain: brain.name, logger: quiet });
  await bus.ensureStreams();
});
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
  await bus.drain();
  await brain.cleanup();
});

function worker(
  handler: (job: Job, ctx: MessageContext) => Promise<void>,
  extra: Partial<ConsumeSpec<typeof Job>> = {},
): TaskConsumer {
  const consumer = bus.consumer({
    stream: bus.subjects.streams.tasks.name,
    durable: 'worker',
    filterSubject: bus.subjects.taskRun('worker'),
    schema: Job,
    concurrency: 1,
    handler,
    ...extra,
  });
  stops.push(() => consumer.stop(0));
  return consumer;
}

const subject = () => bus.subjects.taskRun('worker');

/** This process's metrics as Prometheus scrapes them (the SDK's in-band `/metrics`). */
async function scrape() {
  const server = createServer(withMetricsEndpoint((_req, res) => res.end(), telemetry.scrape));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    return parsePrometheusText(await res.text());
  } finally {
    server.close();
  }
}

async function streamMessages(name: string): Promise<number> {
  const jsm = await jetstreamManager(bus.nc);
  return (await jsm.streams.info(name)).state.messages;
}

async function deadLetters(count: number): Promise<StoredMsg[]> {
  const name = bus.subjects.streams.deadLetter.name;
  await waitFor(async () => (await streamMessages(name)) >= count, 5000, `${count} dead letter(s)`);
  const jsm = await jetstreamManager(bus.nc);
  const letters: StoredMsg[] = [];
  for (let seq = 1; seq <= count; seq++) {
    const letter = await jsm.streams.getMessage(name, { seq });
    if (!letter) throw new Error(`dead letter ${seq} missing`);
    letters.push(letter);
  }
  return letters;
}

describe('TaskConsumer', () => {
  it('delivers a published task to the handler inside its trace, then acks it', async () => {
    const got = deferred<{ job: Job; ctx: MessageContext }>();
    await worker(async (job, ctx) => got.resolve({ job, ctx })).start();

    let traceId = '';
    const published = await withSpan('test.publish', async (span) => {
      traceId = span.spanContext().traceId;
      return bus.publish(subject(), Job, { id: 'a', n: 1 }, { msgId: 'a' });
    });
    expect(published.duplicate).toBe(false);

    const { job, ctx } = await within(got.promise, 5000, 'the handler');
    expect(job).toEqual({ id: 'a', n: 1 });
    expect(ctx).toMatchObject({ subject: subject(), deliveryCount: 1, streamSequence: published.seq });
    expect(ctx.headers.traceparent).toContain(traceId);
    expect(trace.getSpanContext(ctx.traceContext)?.traceId).toBe(traceId);
    // Work queue retention: an acked message leaves the stream.
    await waitFor(async () => (await streamMessages(bus.subjects.streams.tasks.name)) === 0, 5000, 'the ack');
  });

  it('redelivers a retryable failure after its backoff, with the delivery count', async () => {
    const seen: Array<{ count: number; at: number }> = [];
    const second = deferred();
    await worker(
      async (_job, ctx) => {
        seen.push({ count: ctx.deliveryCount, at: performance.now() });
        if (ctx.deliveryCount === 1) throw new ForgeError('UNAVAILABLE', 'try later');
        second.resolve();
      },
      { backoffMs: [200] },
    ).start();
    await bus.publish(subject(), Job, { id: 'b', n: 2 });

    await within(second.promise, 5000, 'the redelivery');
    expect(seen.map((s) => s.count)).toEqual([1, 2]);
    const gap = seen[1]!.at - seen[0]!.at;
    expect(gap).toBeGreaterThanOrEqual(180);
    expect(gap).toBeLessThan(1500);
  });

  it('stores a repeated msgId once and runs the handler once', async () => {
    const handled: string[] = [];
    const last = deferred();
    await worker(async (job) => {
      handled.push(job.id);
      if (job.id === 'c') last.resolve();
    }).start();

    const first = await bus.publish(subject(), Job, { id: 'a', n: 1 }, { msgId: 'task-1' });
    const again = await bus.publish(subject(), Job, { id: 'a', n: 1 }, { msgId: 'task-1' });
    expect(again).toEqual({ seq: first.seq, duplicate: true });
    await bus.publish(subject(), Job, { id: 'c', n: 3 }, { msgId: 'task-2' });

    // One handler at a time in stream order: a stored duplicate would run before `c`.
    await within(last.promise, 5000, 'the last task');
    expect(handled).toEqual(['a', 'c']);
  });

  it('dead-letters a payload that is not JSON or fails the schema, naming the field', async () => {
    let calls = 0;
    await worker(async () => {
      calls++;
    }).start();
    const js = jetstream(bus.nc);
    const notJson = await js.publish(subject(), 'not json {');
    const badField = await js.publish(subject(), JSON.stringify({ id: 'x', n: 'seven' }));

    const [first, second] = await deadLetters(2);
    expect(first!.subject).toBe(bus.subjects.deadLetter(subject()));
    expect(first!.string()).toBe('not json {');
    expect(first!.header.get(HEADERS.deadReason)).toContain('not JSON');
    expect(first!.header.get(HEADERS.deadCode)).toBe('BAD_INPUT');
    expect(first!.header.get(HEADERS.deadSequence)).toBe(String(notJson.seq));
    expect(second!.header.get(HEADERS.deadReason)).toMatch(/^n: /);
    expect(second!.header.get(HEADERS.deadSubject)).toBe(subject());
    expect(second!.header.get(HEADERS.deadStream)).toBe(bus.subjects.streams.tasks.name);
    expect(second!.header.get(HEADERS.deadSequence)).toBe(String(badField.seq));
    expect(second!.header.get(HEADERS.deadDeliveries)).toBe('1');
    expect(calls).toBe(0);
    await waitFor(
      async () => (await streamMessages(bus.subjects.streams.tasks.name)) === 0,
      5000,
      'the terms',
    );
  });

  it('dead-letters a non-retryable error at once with its code and the original payload', async () => {
    let calls = 0;
    await worker(async () => {
      calls++;
      throw new ForgeError('FORBIDDEN', 'partner may not use this skill');
    }).start();
    await withSpan('test.publish', () => bus.publish(subject(), Job, { id: 'd', n: 4 }));

    const [letter] = await deadLetters(1);
    expect(letter!.json()).toEqual({ id: 'd', n: 4 });
    expect(letter!.header.get(HEADERS.deadCode)).toBe('FORBIDDEN');
    expect(letter!.header.get(HEADERS.deadReason)).toContain('partner may not use this skill');
    expect(letter!.header.get(HEADERS.deadDeliveries)).toBe('1');
    expect(letter!.header.get('traceparent')).toMatch(/^00-[0-9a-f]{32}-/);
    expect(calls).toBe(1);
  });

  it('dead-letters after maxDeliver deliveries of a retryable error', async () => {
    let calls = 0;
    await worker(
      async () => {
        calls++;
        throw new Error('downstream keeps failing');
      },
      { maxDeliver: 2, backoffMs: [50] },
    ).start();
    await bus.publish(subject(), Job, { id: 'e', n: 5 });

    const [letter] = await deadLetters(1);
    expect(letter!.header.get(HEADERS.deadDeliveries)).toBe('2');
    expect(letter!.header.get(HEADERS.deadCode)).toBe('INTERNAL');
    expect(letter!.header.get(HEADERS.deadReason)).toContain('gave up after 2 deliveries');
    expect(calls).toBe(2);
  });

  it('counts dead letters and reports the lag of its durable in the Prometheus scrape', async () => {
    const gate = deferred();
    await worker(async (job) => {
      if (job.n === 0) throw new ForgeError('FORBIDDEN', 'poison');
      await gate.promise;
    }).start();
    await bus.publish(subject(), Job, { id: 'p', n: 0 });
    await deadLetters(1);
    for (const id of ['a', 'b', 'c']) await bus.publish(subject(), Job, { id, n: 1 });
    const labels = { messaging_destination_name: bus.subjects.streams.tasks.name };
    // One held by the only slot, two waiting on the server.
    let samples = await scrape();
    await waitFor(
      async () => {
        samples = await scrape();
        return sampleSum(samples, 'forge_consumer_lag', labels) === 2;
      },
      5000,
      'a lag of 2',
    );
    expect(
      sampleSum(samples, 'forge_messages_dead_lettered_total', { ...labels, error_type: 'FORBIDDEN' }),
    ).toBe(1);
    gate.resolve();
    await waitFor(async () => sampleSum(await scrape(), 'forge_consumer_lag', labels) === 0, 5000, 'no lag');
  });

  it('runs at most `concurrency` handlers and holds no more messages than that', async () => {
    const gate = deferred();
    const allDone = deferred();
    let running = 0;
    let maxRunning = 0;
    let done = 0;
    const consumer = worker(
      async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await gate.promise;
        running--;
        if (++done === 9) allDone.resolve();
      },
      { concurrency: 3 },
    );
    await consumer.start();
    for (let i = 0; i < 9; i++) await bus.publish(subject(), Job, { id: `f${i}`, n: i });

    await waitFor(() => running === 3, 5000, 'three handlers running');
    const jsm = await jetstreamManager(bus.nc);
    const info = await jsm.consumers.info(bus.subjects.streams.tasks.name, 'worker');
    expect(info.num_ack_pending).toBe(3);
    expect(info.num_pending).toBe(6);
    expect(consumer.inFlight).toBe(3);
    gate.resolve();
    await within(allDone.promise, 5000, 'all nine handlers');
    expect(maxRunning).toBe(3);
  });

  it('stop(grace) lets an in-flight handler finish and acks it', async () => {
    const started = deferred();
    const finish = deferred();
    let aborted = false;
    const consumer = worker(async (_job, ctx) => {
      started.resolve();
      await finish.promise;
      aborted = ctx.signal.aborted;
    });
    await consumer.start();
    await bus.publish(subject(), Job, { id: 'g', n: 7 });
    await within(started.promise, 5000, 'the handler to start');

    const stopped = consumer.stop(5000);
    expect(consumer.inFlight).toBe(1);
    finish.resolve();
    await within(stopped, 5000, 'stop()');
    expect(aborted).toBe(false);
    expect(consumer.inFlight).toBe(0);
    await waitFor(async () => (await streamMessages(bus.subjects.streams.tasks.name)) === 0, 5000, 'the ack');
  });

  it('stop(grace) aborts a handler that overruns and naks it to another replica', async () => {
    const started = deferred();
    const sawAbort = deferred<unknown>();
    const first = worker(async (_job, ctx) => {
      started.resolve();
      await new Promise<void>((resolve) => {
        ctx.signal.addEventListener('abort', () => {
          sawAbort.resolve(ctx.signal.reason);
          resolve();
        });
      });
    });
    await first.start();
    await bus.publish(subject(), Job, { id: 'h', n: 8 });
    await within(started.promise, 5000, 'the first handler');

    const takeover = deferred<MessageContext>();
    await worker(async (_job, ctx) => takeover.resolve(ctx)).start();
    const t0 = performance.now();
    await within(first.stop(200), 5000, 'stop()');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(190);
    expect(await within(sawAbort.promise, 1000, 'the abort')).toMatchObject({ code: 'CANCELED' });

    const ctx = await within(takeover.promise, 5000, 'the second replica');
    expect(ctx.deliveryCount).toBe(2);
  });

  it('keeps a long handler message alive with working() past the ack wait', async () => {
    let calls = 0;
    const done = deferred();
    await worker(
      async () => {
        calls++;
        // Longer than the 1 s ack wait: without working() the second slot would get it again.
        await new Promise((r) => setTimeout(r, 1600));
        done.resolve();
      },
      { ackWaitMs: 1000, concurrency: 2 },
    ).start();
    await bus.publish(subject(), Job, { id: 'w', n: 1 });
    await within(done.promise, 5000, 'the long handler');
    await waitFor(async () => (await streamMessages(bus.subjects.streams.tasks.name)) === 0, 5000, 'the ack');
    expect(calls).toBe(1);
  });

  it('creates one durable for replicas starting at once and updates a changed setting', async () => {
    const jsm = await jetstreamManager(bus.nc);
    const stream = bus.subjects.streams.tasks.name;
    await Promise.all([worker(async () => undefined).start(), worker(async () => undefined).start()]);
    expect((await jsm.consumers.list(stream).next()).map((c) => c.name)).toEqual(['worker']);
    expect((await jsm.consumers.info(stream, 'worker')).config).toMatchObject({
      filter_subject: subject(),
      ack_policy: 'explicit',
      ack_wait: nanos(30_000),
      max_deliver: -1,
    });

    await worker(async () => undefined, { ackWaitMs: 5000 }).start();
    expect((await jsm.consumers.info(stream, 'worker')).config.ack_wait).toBe(nanos(5000));
  });

  it('recreates its durable when it is deleted under it, and keeps consuming', async () => {
    const handled: string[] = [];
    await worker(async (job) => {
      handled.push(job.id);
    }).start();
    const jsm = await jetstreamManager(bus.nc);
    await jsm.consumers.delete(bus.subjects.streams.tasks.name, 'worker');
    await bus.publish(subject(), Job, { id: 'r', n: 1 });
    await waitFor(() => handled.includes('r'), 8000, 'the task after the durable was deleted');
  });

  it('refuses to start on a stream that does not exist', async () => {
    await expect(worker(async () => undefined, { stream: 'NO_SUCH_STREAM' }).start()).rejects.toMatchObject({
      code: 'BAD_CONFIG',
      message: expect.stringContaining('NO_SUCH_STREAM'),
    });
  });

  it('refuses a bad spec with BAD_CONFIG naming the field', () => {
    expect(() => worker(async () => undefined, { concurrency: 0 })).toThrow(
      expect.objectContaining({
        code: 'BAD_CONFIG',
        message: expect.stringContaining('consumer.concurrency'),
      }),
    );
  });
});
