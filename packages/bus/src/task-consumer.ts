import { ForgeError, type ForgeSubjects } from '@forge/contracts';
import { extractTraceContext, type Logger, markSpanFailed, SpanKind, withSpan } from '@forge/telemetry';
import type { Consumer, JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import { context, ROOT_CONTEXT, type Span } from '@opentelemetry/api';
import type { z } from 'zod';
import type { ConnectionState } from './connection-status.js';
import {
  type ConsumeSettings,
  type ConsumeSpec,
  type MessageContext,
  parseConsumeSettings,
  type TaskConsumer,
} from './consume-spec.js';
import { ConsumerMetrics } from './consumer-metrics.js';
import { publishDeadLetter } from './dead-letter.js';
import { ensureDurableConsumer } from './durable-consumer.js';
import { type DeliveryOutcome, type JetStreamAction, jetstreamAction } from './jetstream-action.js';
import { headersToRecord } from './nats-headers.js';
import type { Outbox } from './outbox.js';
import { decodeValidated } from './payload.js';
import { PullGate } from './pull-gate.js';

/** What the consumer needs from its Bus. */
export interface TaskConsumerDeps {
  js: JetStreamClient;
  jsm: JetStreamManager;
  subjects: ForgeSubjects;
  logger: Logger;
  connection: ConnectionState;
  /** The connection's outbox: acks, naks and terms go out with its other queued operations. */
  outbox: Outbox;
}

/** One message held by this consumer, from receipt until its action is sent. */
interface Held {
  readonly msg: JsMsg;
  /** Made when the handler first reads `ctx.signal` (most never do; an AbortController is not free). */
  abort: AbortController | undefined;
  /** Why stop() interrupted the handler, if it did. */
  interrupted: ForgeError | undefined;
  /** Set once an action is chosen, so a late handler result cannot act a second time. */
  settling: boolean;
}

function signalOf(held: Held): AbortSignal {
  if (!held.abort) {
    held.abort = new AbortController();
    if (held.interrupted) held.abort.abort(held.interrupted);
  }
  return held.abort.signal;
}

const DEFAULT_GRACE_MS = 10_000;

/**
 * A durable pull consumer that runs at most `concurrency` handlers and never holds more messages
 * than it can run: it asks the server only for free slots (see `PullGate`), so no message waits
 * in a client buffer while its ack timer runs. Each message's outcome is mapped to ack, nak with
 * backoff, or dead-letter by `jetstreamAction`.
 */
export class JetStreamTaskConsumer<S extends z.ZodType> implements TaskConsumer {
  readonly #spec: ConsumeSpec<S>;
  readonly #settings: ConsumeSettings;
  readonly #deps: TaskConsumerDeps;
  readonly #logger: Logger;
  readonly #held = new Set<Held>();
  readonly #idleWaiters = new Set<() => void>();
  #gate: PullGate | undefined;
  #state: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new';
  #stopped: Promise<void> | undefined;
  #reensuring = false;
  #stopWatching: (() => void) | undefined;
  #keepAlive: NodeJS.Timeout | undefined;
  readonly #metrics: ConsumerMetrics;

  constructor(spec: ConsumeSpec<S>, deps: TaskConsumerDeps) {
    this.#spec = spec;
    this.#settings = parseConsumeSettings(spec);
    this.#deps = deps;
    this.#logger = deps.logger.child({ stream: this.#settings.stream, durable: this.#settings.durable });
    this.#metrics = new ConsumerMetrics(deps.jsm, this.#settings.stream, this.#settings.durable);
  }

  get inFlight(): number {
    return this.#held.size;
  }

  async start(): Promise<void> {
    if (this.#state !== 'new') throw new ForgeError('CONFLICT', 'consumer already started');
    this.#state = 'starting';
    const { jsm, js } = this.#deps;
    let consumer: Consumer;
    try {
      await ensureDurableConsumer(jsm, this.#settings, this.#logger);
      consumer = await js.consumers.get(this.#settings.stream, this.#settings.durable);
    } catch (error) {
      // Not started: the caller may fix the cause (e.g. ensureStreams) and call start() again.
      if (this.#state === 'starting') this.#state = 'new';
      throw error;
    }
    if (this.#state !== 'starting') return; // stopped while starting
    this.#state = 'running';
    this.#gate = new PullGate({
      consumer,
      capacity: this.#settings.concurrency,
      used: () => this.#held.size,
      onMessage: (msg) => this.#accept(msg),
      onError: (error) => this.#onPullError(error),
      logger: this.#logger,
    });
    this.#gate.pump();
    this.#metrics.observeLag();
    // Every ackWait/3, tell the server each running handler is still working, so a long handler
    // keeps its message (one timer for all, not one per message).
    this.#keepAlive = setInterval(() => {
      for (const held of this.#held) if (!held.settling) safely(() => held.msg.working(), this.#logger);
    }, this.#settings.ackWaitMs / 3);
    this.#keepAlive.unref();
    this.#stopWatching = this.#deps.connection.onReconnect(() => this.#gate?.renew());
    this.#logger.info({ concurrency: this.#settings.concurrency }, 'consumer started');
  }

  stop(graceMs = DEFAULT_GRACE_MS): Promise<void> {
    this.#stopped ??= this.#stop(graceMs);
    return this.#stopped;
  }

  async #stop(graceMs: number): Promise<void> {
    this.#state = 'stopping';
    this.#stopWatching?.();
    this.#gate?.close();
    if (!(await this.#whenIdle(graceMs))) {
      const late = [...this.#held].filter((held) => !held.settling);
      this.#logger.warn({ interrupted: late.length, graceMs }, 'grace period over: aborting handlers');
      await Promise.all(
        late.map((held) => {
          held.interrupted = new ForgeError('CANCELED', 'consumer is stopping');
          held.abort?.abort(held.interrupted);
          return this.#settle(held, jetstreamAction({ kind: 'interrupted' }, this.#policy(held.msg)));
        }),
      );
      // What is left is dead-letter publishes in progress, bounded by the publish timeout.
      await this.#whenIdle(Number.POSITIVE_INFINITY);
    }
    clearInterval(this.#keepAlive);
    this.#metrics.stop();
    this.#deps.outbox.flush();
    this.#state = 'stopped';
    this.#logger.info('consumer stopped');
  }

  #whenIdle(timeoutMs: number): Promise<boolean> {
    if (this.#held.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (idle: boolean) => {
        clearTimeout(timer);
        this.#idleWaiters.delete(waiter);
        resolve(idle);
      };
      const waiter = () => done(true);
      const timer = Number.isFinite(timeoutMs) ? setTimeout(() => done(false), timeoutMs) : undefined;
      this.#idleWaiters.add(waiter);
    });
  }

  #policy(msg: JsMsg) {
    const { maxDeliver, backoffMs } = this.#settings;
    return { deliveryCount: msg.info.deliveryCount, maxDeliver, backoffMs };
  }

  #onPullError(error: unknown): void {
    this.#logger.warn({ err: String(error) }, 'pulling messages failed; retrying');
    // A deleted consumer (or a server that lost it) comes back here rather than on a restart.
    if (this.#reensuring || this.#state !== 'running') return;
    this.#reensuring = true;
    ensureDurableConsumer(this.#deps.jsm, this.#settings, this.#logger)
      .catch((cause) => this.#logger.warn({ err: String(cause) }, 'consumer check failed'))
      .finally(() => {
        this.#reensuring = false;
      });
  }

  #accept(msg: JsMsg): void {
    if (this.#state !== 'running') {
      // Received after stop() began: hand it straight back for another replica.
      safely(() => msg.nak(), this.#logger);
      return;
    }
    const held: Held = { msg, abort: undefined, interrupted: undefined, settling: false };
    this.#held.add(held);
    void this.#process(held);
  }

  async #process(held: Held): Promise<void> {
    const { msg } = held;
    const headers = headersToRecord(msg.headers);
    const parent = extractTraceContext(headers, ROOT_CONTEXT);
    try {
      await context.with(parent, () =>
        withSpan(
          `process ${msg.subject}`,
          async (span) => {
            const outcome = await this.#run(held, headers, span);
            await this.#settle(held, jetstreamAction(outcome, this.#policy(msg)));
          },
          {
            kind: SpanKind.CONSUMER,
            attributes: {
              'messaging.system': 'nats',
              'messaging.operation.type': 'process',
              'messaging.destination.name': msg.subject,
              'messaging.consumer.group.name': this.#settings.durable,
              'messaging.message.delivery_count': msg.info.deliveryCount,
            },
          },
        ),
      );
    } catch (error) {
      this.#logger.error({ err: String(error), seq: msg.seq }, 'settling a message failed');
    }
  }

  async #run(held: Held, headers: Record<string, string>, span: Span): Promise<DeliveryOutcome> {
    const { msg } = held;
    if (msg.info.deliveryCount > this.#settings.maxDeliver) return { kind: 'over-delivered' };
    const decoded = decodeValidated(this.#spec.schema, msg.data);
    if (!decoded.ok) return { kind: 'invalid', reason: decoded.reason };
    const ctx: MessageContext = {
      subject: msg.subject,
      headers,
      deliveryCount: msg.info.deliveryCount,
      streamSequence: msg.seq,
      get signal() {
        return signalOf(held);
      },
      traceContext: context.active(),
    };
    try {
      await this.#spec.handler(decoded.value, ctx);
      return { kind: 'resolved' };
    } catch (error) {
      markSpanFailed(span, error);
      return { kind: 'failed', error };
    }
  }

  /** Sends the action for a held message once, then releases its slot. */
  async #settle(held: Held, action: JetStreamAction): Promise<void> {
    if (held.settling) return;
    held.settling = true;
    const { msg } = held;
    const log = { subject: msg.subject, seq: msg.seq, deliveries: msg.info.deliveryCount };
    try {
      switch (action.kind) {
        case 'ack':
          this.#send(() => msg.ack());
          break;
        case 'nak':
          this.#logger.debug({ ...log, delayMs: action.delayMs }, 'message naked');
          this.#send(() => msg.nak(action.delayMs > 0 ? action.delayMs : undefined));
          break;
        case 'dead-letter':
          await this.#deadLetter(msg, action);
          break;
        default: {
          const unknown: never = action;
          throw new ForgeError('INTERNAL', `unexpected action ${JSON.stringify(unknown)}`);
        }
      }
    } finally {
      this.#held.delete(held);
      if (this.#held.size === 0) for (const waiter of [...this.#idleWaiters]) waiter();
      this.#gate?.pump();
    }
  }

  async #deadLetter(msg: JsMsg, action: Extract<JetStreamAction, { kind: 'dead-letter' }>): Promise<void> {
    const log = { subject: msg.subject, seq: msg.seq, deliveries: msg.info.deliveryCount, code: action.code };
    try {
      const dlqSeq = await publishDeadLetter(this.#deps.js, this.#deps.subjects, msg, action);
      this.#logger.warn({ ...log, reason: action.reason, dlqSeq }, 'message dead-lettered');
      this.#metrics.deadLettered(action.code);
      this.#send(() => msg.term());
    } catch (error) {
      // The dead letter is not stored: keep the message rather than lose it, and try again later.
      const delayMs = this.#settings.backoffMs.at(-1) ?? 0;
      this.#logger.error({ ...log, err: String(error), delayMs }, 'dead-letter publish failed; naking');
      this.#send(() => msg.nak(delayMs));
    }
  }

  /**
   * Queues an ack/nak/term on the connection's outbox (see `Outbox`): sent on the next turn of the
   * event loop with every other queued operation, in one socket write.
   */
  #send(reply: () => void): void {
    this.#deps.outbox.push(() => safely(reply, this.#logger));
  }
}

/** Acks are fire-and-forget; on a closed connection they throw, and redelivery covers the loss. */
function safely(send: () => void, logger: Logger): void {
  try {
    send();
  } catch (error) {
    logger.warn({ err: String(error) }, 'could not send ack/nak/working to the server');
  }
}
