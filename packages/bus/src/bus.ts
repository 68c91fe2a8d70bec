import { ForgeError, type ForgeSubjects, forgeSubjects } from '@forge/contracts';
import {
  createLogger,
  injectTraceContext,
  type Logger,
  redactUrl,
  SpanKind,
  withSpan,
} from '@forge/telemetry';
import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { z } from 'zod';
import { type ConnectionState, watchConnection } from './connection-status.js';
import type { ConsumeSpec, TaskConsumer } from './consume-spec.js';
import { coreEmit, coreSubscribe, type MessageMeta, prepareEmit, type Subscribed } from './core-pubsub.js';
import { splitServerCredentials } from './nats-credentials.js';
import { natsFailure } from './nats-errors.js';
import { recordToHeaders } from './nats-headers.js';
import { Outbox } from './outbox.js';
import { encodeValidated } from './payload.js';
import { type Served, sendRequest, serveRequests } from './request-reply.js';
import { brainStreamConfigs, ensureStream } from './streams.js';
import { JetStreamTaskConsumer } from './task-consumer.js';

/** Default wait between reconnect attempts. */
export const DEFAULT_RECONNECT_WAIT_MS = 2_000;

export interface BusConnectOptions {
  servers: string | string[];
  /** The connection's name as the server shows it (e.g. the service and pod). */
  name: string;
  /** The brain whose subjects and streams this bus uses. */
  brain: string;
  /** Default: a pino logger named after `name`. */
  logger?: Logger;
  /** Wait between reconnect attempts, default 2000 ms. Attempts are unlimited. */
  reconnectWaitMs?: number;
  /**
   * `serve` replies go out through the connection's outbox, so replies finished in one turn of the
   * event loop share one socket write (default true). false writes each reply as it is made, one
   * write per reply: only to measure the difference side by side (`bench router-overhead --replies`).
   */
  coalesceReplies?: boolean;
}

export interface PublishOptions {
  /** Sets `Nats-Msg-Id`: a repeat within the stream's duplicate window (2 min) is not stored again. */
  msgId?: string;
  headers?: Record<string, string>;
  /**
   * The payload was built by this process's typed code from values it already validated (an
   * envelope it consumed, forwarded with its routing; an event made from a committed row): it is
   * encoded as it is, without a second pass of `schema`. Every consumer still validates it.
   */
  checked?: boolean;
}

export interface PublishResult {
  /** The stream sequence (of the first copy, when `duplicate`). */
  seq: number;
  /** True when the server already had this msgId and did not store the message again. */
  duplicate: boolean;
}

/**
 * One NATS connection for one brain: JetStream streams, validated publish, durable pull
 * consumers, core pub/sub and request/reply. Every payload is validated with zod on the way out
 * and on the way in; W3C trace context rides in the headers.
 */
export class Bus {
  readonly subjects: ForgeSubjects;
  readonly nc: NatsConnection;
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;
  readonly #logger: Logger;
  readonly #connection: ConnectionState;
  readonly #consumers = new Set<TaskConsumer>();
  readonly #served = new Set<Served>();
  readonly #outbox: Outbox;
  readonly #coalesceReplies: boolean;
  #drained: Promise<void> | undefined;

  private constructor(
    nc: NatsConnection,
    jsm: JetStreamManager,
    subjects: ForgeSubjects,
    logger: Logger,
    coalesceReplies: boolean,
  ) {
    this.nc = nc;
    this.subjects = subjects;
    this.#jsm = jsm;
    this.#js = jetstream(nc);
    this.#logger = logger;
    this.#connection = watchConnection(nc, logger);
    this.#outbox = new Outbox(logger);
    this.#coalesceReplies = coalesceReplies;
  }

  /**
   * Connects with unlimited reconnect attempts (`reconnectWaitMs` apart); connection events are
   * logged. A first connection that fails is UNAVAILABLE: the caller (or its supervisor) retries.
   */
  static async connect(opts: BusConnectOptions): Promise<Bus> {
    const subjects = forgeSubjects(opts.brain);
    const logger = (opts.logger ?? createLogger({ name: opts.name })).child({ brain: subjects.brain });
    const servers = Array.isArray(opts.servers) ? opts.servers : [opts.servers];
    // `nats://user:password@host` (a per-service NATS user, as the chart configures it).
    const { servers: plain, ...credentials } = splitServerCredentials(servers);
    let nc: NatsConnection;
    try {
      nc = await connect({
        servers: plain,
        ...credentials,
        name: opts.name,
        maxReconnectAttempts: -1,
        reconnectTimeWait: opts.reconnectWaitMs ?? DEFAULT_RECONNECT_WAIT_MS,
        // nats.js otherwise builds two Error objects (for their stack traces) on every request,
        // JetStream publishes included: a quarter of the publish CPU. Bus errors are ForgeErrors
        // that name the subject, so the extra trace adds little.
        noAsyncTraces: true,
      });
    } catch (error) {
      throw new ForgeError('UNAVAILABLE', `cannot connect to NATS at ${servers.map(redactUrl).join(', ')}`, {
        retryable: true,
        cause: error,
      });
    }
    try {
      const jsm = await jetstreamManager(nc);
      logger.info({ server: nc.getServer() }, 'connected to NATS');
      return new Bus(nc, jsm, subjects, logger, opts.coalesceReplies ?? true);
    } catch (error) {
      await nc.close();
      throw natsFailure(error, 'JetStream is not available');
    }
  }

  /** True while the connection is up (false while reconnecting and after drain). */
  isConnected(): boolean {
    return this.#connection.connected && !this.nc.isClosed();
  }

  /**
   * Creates or updates the brain's TASKS (work queue, 2 min duplicate window), DLQ (kept 30 days)
   * and EVENTS (kept 7 days) streams, file storage. Idempotent, and safe for two processes at once.
   */
  async ensureStreams(): Promise<void> {
    for (const config of brainStreamConfigs(this.subjects)) {
      await ensureStream(this.#jsm, config, this.#logger);
    }
  }

  /**
   * JetStream publish, resolved once the stream stored it. Validates with `schema` first (BAD_INPUT
   * naming the field) and sends the parsed value; injects W3C trace headers (of a PRODUCER span).
   * No stream for the subject or no server: UNAVAILABLE.
   */
  async publish<S extends z.ZodType>(
    subject: string,
    schema: S,
    payload: z.input<S>,
    opts: PublishOptions = {},
  ): Promise<PublishResult> {
    const data = opts.checked ? JSON.stringify(payload) : encodeValidated(schema, payload, subject);
    if (opts.msgId !== undefined && opts.msgId.length === 0) {
      throw new ForgeError('BAD_INPUT', 'msgId: must not be empty', { retryable: false });
    }
    return withSpan(
      `send ${subject}`,
      async () => {
        try {
          const ack = await this.#js.publish(subject, data, {
            headers: recordToHeaders(opts.headers, injectTraceContext({})),
            ...(opts.msgId ? { msgID: opts.msgId } : {}),
          });
          return { seq: ack.seq, duplicate: ack.duplicate };
        } catch (error) {
          throw natsFailure(error, `publish to ${subject}`);
        }
      },
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': 'nats',
          'messaging.operation.type': 'send',
          'messaging.destination.name': subject,
        },
      },
    );
  }

  /**
   * Core NATS publish (status events, cancel notices): validated (unless `checked`, see
   * `PublishOptions.checked`), with trace headers, at most once.
   *
   * `batched`: validated and encoded now (a bad payload still throws BAD_INPUT here, a closed
   * connection UNAVAILABLE), sent on the next turn of the event loop with the connection's other
   * queued operations (acks, other batched emits: see `Outbox`), in the order queued. Only for
   * messages whose order against this connection's direct publishes and replies does not matter
   * (a task's status events: listeners order them by seq and re-read Postgres when they go quiet).
   */
  emit<S extends z.ZodType>(
    subject: string,
    schema: S,
    payload: z.input<S>,
    opts: { checked?: boolean; batched?: boolean } = {},
  ): void {
    if (!opts.batched) {
      coreEmit(this.nc, subject, schema, payload, opts.checked === true);
      return;
    }
    const send = prepareEmit(this.nc, subject, schema, payload, opts.checked === true);
    this.#outbox.push(send);
  }

  /** Queues a fire-and-forget operation (e.g. an unsubscribe) on the connection's outbox. */
  later(send: () => void): void {
    this.#outbox.push(send);
  }

  /**
   * Core NATS subscription; messages failing `schema` are logged and skipped. `flush: false` skips
   * the round trip that makes `ready` wait for the server: only for a caller whose next step is a
   * publish on this bus (the server takes one connection's SUB and PUB in order; see `coreSubscribe`).
   */
  subscribe<S extends z.ZodType>(
    subject: string,
    schema: S,
    onMessage: (value: z.output<S>, meta: MessageMeta) => void,
    opts: { queue?: string; flush?: boolean } = {},
  ): Subscribed {
    return coreSubscribe(this.nc, this.#logger, subject, schema, onMessage, opts.queue, opts.flush ?? true);
  }

  /**
   * Request/reply. UNAVAILABLE (retryable) on no responders or no reply within `timeoutMs`
   * (default 5000); an error reply from `serve` is rethrown as a ForgeError with its code.
   *
   * `batched`: validated and encoded now (BAD_INPUT at once; a closed connection UNAVAILABLE),
   * sent on the next turn of the event loop with the connection's other queued operations (see
   * `Outbox`), so the requests a process starts in one turn share one socket write; the timeout
   * runs from the send. For callers that make many requests at once (an agent's model calls),
   * whose request need not overtake what they send directly after it in the same turn.
   */
  request<S extends z.ZodType, R extends z.ZodType>(
    subject: string,
    schema: S,
    payload: z.input<S>,
    replySchema: R,
    opts: { timeoutMs?: number; batched?: boolean } = {},
  ): Promise<z.output<R>> {
    return sendRequest(
      this.nc,
      subject,
      schema,
      payload,
      replySchema,
      opts.timeoutMs,
      opts.batched ? this.#outbox : undefined,
    );
  }

  /**
   * Answers requests on `subject` (queue group `queue`, default the subject). Handler errors are
   * answered as structured error replies (`Forge-Error` header with the code, JSON body
   * `{code, message, retryable, details?}`), which `request` rethrows as ForgeErrors.
   *
   * Replies go out through the connection's outbox: on the next turn of the event loop, together
   * with the other replies, acks and batched emits of this turn, in one socket write. A reply
   * leaves after everything the handler sent or queued on this bus before returning (stream
   * chunks emitted before the reply arrive before it); a direct publish made after the handler
   * returned, in the same turn, may overtake it. `stop()` and `drain()` send the queued replies.
   */
  serve<S extends z.ZodType, R extends z.ZodType>(
    subject: string,
    schema: S,
    replySchema: R,
    handler: (req: z.output<S>, meta: { headers: Record<string, string> }) => Promise<z.input<R>>,
    opts: { queue?: string } = {},
  ): Served {
    const served = serveRequests(this.nc, this.#logger, subject, schema, replySchema, handler, {
      queue: opts.queue,
      replies: this.#coalesceReplies ? this.#outbox : undefined,
    });
    this.#served.add(served);
    return {
      ready: served.ready,
      unsubscribe: () => served.unsubscribe(),
      stop: async () => {
        await served.stop();
        this.#served.delete(served);
      },
    };
  }

  /**
   * A durable pull consumer with bounded concurrency (see `ConsumeSpec`); call `start()` on it.
   * The spec's settings are validated now (BAD_CONFIG naming the field).
   */
  consumer<S extends z.ZodType>(spec: ConsumeSpec<S>): TaskConsumer {
    const consumer = new JetStreamTaskConsumer(spec, {
      js: this.#js,
      jsm: this.#jsm,
      subjects: this.subjects,
      logger: this.#logger,
      connection: this.#connection,
      outbox: this.#outbox,
    });
    this.#consumers.add(consumer);
    return consumer;
  }

  /**
   * Stops consumers still running (with their default grace) and `serve`s (waiting for replies in
   * progress), drains the remaining subscriptions and closes the connection. Safe to call twice.
   */
  drain(): Promise<void> {
    this.#drained ??= (async () => {
      await Promise.allSettled([...this.#consumers].map((consumer) => consumer.stop()));
      await Promise.allSettled([...this.#served].map((served) => served.stop()));
      this.#outbox.flush();
      if (!this.nc.isClosed()) await this.nc.drain();
      await this.nc.closed();
      this.#logger.info('NATS connection drained and closed');
    })();
    return this.#drained;
  }
}
