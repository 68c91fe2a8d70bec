import type { Bus, TaskConsumer } from '@forge/bus';
import { TaskEnvelope } from '@forge/contracts';
import {
  AckPolicy,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import { type NatsConnection, nanos } from '@nats-io/transport-node';
import { z } from 'zod';

/** The task every path carries: a real envelope whose input holds the publish instant. */
export const BenchTask = TaskEnvelope.extend({
  input: z.object({ sentAt: z.number(), text: z.string() }),
});
export type BenchTask = z.output<typeof BenchTask>;

/** Called by a path's consumer once per delivery, as its handler starts. */
export type OnHandled = (id: string, sentAt: number, deliveryCount: number) => void;

/** One way from publish to handler: bare JetStream, or @forge/bus. */
export interface BenchPath {
  readonly name: 'raw' | 'forge';
  /** Where handled tasks are reported; the driver sets it before each round. */
  onHandled: OnHandled;
  start(): Promise<void>;
  publish(task: BenchTask): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Bare @nats-io/jetstream: publish the JSON with a msg id, a durable pull consumer read with
 * `consume()` (holding at most `concurrency` messages), JSON.parse, ack. No validation, no headers.
 */
export class RawPath implements BenchPath {
  readonly name = 'raw';
  onHandled: OnHandled = () => undefined;
  readonly #nc: NatsConnection;
  readonly #js: JetStreamClient;
  readonly #stream: string;
  readonly #subject: string;
  readonly #concurrency: number;
  #messages: ConsumerMessages | undefined;
  #loop: Promise<void> | undefined;

  constructor(nc: NatsConnection, stream: string, subject: string, concurrency: number) {
    this.#nc = nc;
    this.#js = jetstream(nc);
    this.#stream = stream;
    this.#subject = subject;
    this.#concurrency = concurrency;
  }

  async start(): Promise<void> {
    const jsm: JetStreamManager = await jetstreamManager(this.#nc);
    await jsm.consumers.add(this.#stream, {
      durable_name: 'bench-raw',
      filter_subject: this.#subject,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(30_000),
      max_ack_pending: Math.max(1000, this.#concurrency * 10),
    });
    const consumer = await this.#js.consumers.get(this.#stream, 'bench-raw');
    const messages = await consumer.consume({ max_messages: this.#concurrency });
    this.#messages = messages;
    this.#loop = (async () => {
      for await (const msg of messages) {
        const task = msg.json<{ id: string; input: { sentAt: number } }>();
        this.onHandled(task.id, task.input.sentAt, msg.info.deliveryCount);
        msg.ack();
      }
    })();
  }

  async publish(task: BenchTask): Promise<void> {
    await this.#js.publish(this.#subject, JSON.stringify(task), { msgID: task.id });
  }

  async stop(): Promise<void> {
    await this.#messages?.close();
    await this.#loop;
  }
}

/**
 * The same path through @forge/bus: publish validates the envelope and injects trace headers
 * (inside a producer span); the consumer validates, runs the handler in a consumer span with at
 * most `concurrency` at once, and acks after it resolves.
 */
export class ForgePath implements BenchPath {
  readonly name = 'forge';
  onHandled: OnHandled = () => undefined;
  readonly #bus: Bus;
  readonly #subject: string;
  readonly #consumer: TaskConsumer;

  constructor(bus: Bus, stream: string, subject: string, concurrency: number) {
    this.#bus = bus;
    this.#subject = subject;
    this.#consumer = bus.consumer({
      stream,
      durable: 'bench-forge',
      filterSubject: subject,
      schema: BenchTask,
      concurrency,
      handler: async (task, ctx) => {
        this.onHandled(task.id, task.input.sentAt, ctx.deliveryCount);
      },
    });
  }

  start(): Promise<void> {
    return this.#consumer.start();
  }

  async publish(task: BenchTask): Promise<void> {
    await this.#bus.publish(this.#subject, BenchTask, task, { msgId: task.id });
  }

  stop(): Promise<void> {
    return this.#consumer.stop(5000);
  }
}
