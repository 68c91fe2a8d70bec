import { ForgeError } from '@forge/contracts';
import { extractTraceContext, injectTraceContext, type Logger, SpanKind, withSpan } from '@forge/telemetry';
import type { Msg, MsgHdrs, NatsConnection } from '@nats-io/transport-node';
import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import type { z } from 'zod';
import { natsFailure } from './nats-errors.js';
import { headersToRecord, recordToHeaders } from './nats-headers.js';
import { decodeValidated, encodeValidated } from './payload.js';
import { decodeReplyError, encodeReplyError } from './reply-error.js';

/** Default time `request` waits for a reply. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 5_000;

const encoder = new TextEncoder();

/**
 * Sends a validated request and returns the validated reply. No responder or no reply in time:
 * UNAVAILABLE (retryable). An error reply from `serve` is rethrown as a ForgeError with the same
 * code, message, retryable flag and details. A reply that fails `replySchema`: INTERNAL naming the field.
 *
 * With `queue`, the request is validated and encoded now but sent on the next turn of the event
 * loop with the connection's other queued operations (one socket write for all the requests,
 * replies, acks and batched emits of a turn); the timeout runs from the send. A closed connection
 * is UNAVAILABLE at once.
 */
export async function sendRequest<S extends z.ZodType, R extends z.ZodType>(
  nc: NatsConnection,
  subject: string,
  schema: S,
  payload: z.input<S>,
  replySchema: R,
  timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS,
  queue?: SendQueue,
): Promise<z.output<R>> {
  const data = encodeValidated(schema, payload, subject);
  return withSpan(
    `send ${subject}`,
    async () => {
      const options = { timeout: timeoutMs, headers: recordToHeaders(injectTraceContext({})) };
      let reply: Msg;
      try {
        reply = await (queue
          ? queued(nc, queue, subject, () => nc.request(subject, data, options))
          : nc.request(subject, data, options));
      } catch (error) {
        throw natsFailure(error, `request to ${subject}`);
      }
      const failure = decodeReplyError(reply, subject);
      if (failure) throw failure;
      const decoded = decodeValidated(replySchema, reply.data);
      if (!decoded.ok) {
        throw new ForgeError('INTERNAL', `invalid reply from ${subject}: ${decoded.reason}`, {
          retryable: false,
        });
      }
      return decoded.value;
    },
    {
      kind: SpanKind.CLIENT,
      attributes: { 'messaging.system': 'nats', 'messaging.destination.name': subject },
    },
  );
}

/** `request` made on the next turn from `queue`; its failure (a connection closed by then) rejects. */
function queued(
  nc: NatsConnection,
  queue: SendQueue,
  subject: string,
  request: () => Promise<Msg>,
): Promise<Msg> {
  if (nc.isClosed()) {
    throw new ForgeError(
      'UNAVAILABLE',
      `cannot send a request to ${subject}: the NATS connection is closed`,
      {
        retryable: true,
      },
    );
  }
  return new Promise<Msg>((resolve, reject) => {
    queue.push(() => {
      try {
        request().then(resolve, reject);
      } catch (error) {
        reject(error);
      }
    });
  });
}

/** A running `serve`. */
export interface Served {
  /**
   * Resolves once the server has the subscription. Requests sent on this connection after
   * `serve` returns are always seen; a request from another connection is only seen after this.
   */
  readonly ready: Promise<void>;
  /**
   * Stops taking requests: resolves once the server has dropped the subscription, so later
   * requests go to the queue group's other members (or find no responders). The requests already
   * delivered here are still answered; `stop` waits for them.
   */
  unsubscribe(): Promise<void>;
  /** Stops taking requests and waits for the replies in progress. */
  stop(): Promise<void>;
}

/**
 * The connection's outbox (see `Outbox`) as `serve` and a batched `request` use it: what is pushed
 * in one turn of the event loop leaves in one socket write, after everything this connection sent
 * or queued before it.
 */
export interface SendQueue {
  push(send: () => void): void;
  flush(): void;
}

export interface ServeOptions {
  /** Queue group; default the subject, so replicas share the load and each request is answered once. */
  queue?: string | undefined;
  /** Replies go out through this queue (coalesced per turn); default: written at once. */
  replies?: SendQueue | undefined;
}

/**
 * Answers requests on `subject` in queue group `opts.queue`. A request failing `schema` is answered
 * with a BAD_INPUT error naming the field; a thrown ForgeError with its code; anything else with
 * INTERNAL and a generic message (the detail is logged, not sent). A handler result failing
 * `replySchema` is a bug on this side: INTERNAL.
 *
 * Order: a reply leaves after everything the handler published, emitted (direct or batched) or
 * queued on this connection before it returned, stream chunks included. With `opts.replies` it
 * leaves on the next turn of the event loop, so a direct publish made *after* the handler returned,
 * in the same turn, can overtake it: nothing may depend on that order. A reply that cannot be sent
 * (the connection closed under a handler still running) is logged as an error naming the subject.
 */
export function serveRequests<S extends z.ZodType, R extends z.ZodType>(
  nc: NatsConnection,
  logger: Logger,
  subject: string,
  schema: S,
  replySchema: R,
  handler: (req: z.output<S>, meta: { headers: Record<string, string> }) => Promise<z.input<R>>,
  opts: ServeOptions = {},
): Served {
  const inFlight = new Set<Promise<void>>();
  const log = logger.child({ subject });
  const { replies } = opts;

  /** Sends one reply now or queues it; throws UNAVAILABLE when the connection is already closed. */
  function send(msg: Msg, data: Uint8Array, headers?: MsgHdrs): void {
    if (nc.isClosed()) {
      throw new ForgeError('UNAVAILABLE', `cannot reply on ${subject}: the NATS connection is closed`, {
        retryable: true,
      });
    }
    const respond = () => (headers ? msg.respond(data, { headers }) : msg.respond(data));
    if (!replies) {
      respond();
      return;
    }
    replies.push(() => {
      try {
        respond();
      } catch (error) {
        log.error({ err: String(error) }, 'could not send a queued reply');
      }
    });
  }

  async function answer(msg: Msg): Promise<void> {
    if (!msg.reply) {
      log.warn('request without a reply subject skipped');
      return;
    }
    const headers = headersToRecord(msg.headers);
    const parent = extractTraceContext(headers, ROOT_CONTEXT);
    await context.with(parent, () =>
      withSpan(
        `process ${subject}`,
        async () => {
          let data: Uint8Array;
          let replyHeaders: MsgHdrs | undefined;
          try {
            const decoded = decodeValidated(schema, msg.data);
            if (!decoded.ok) {
              throw new ForgeError('BAD_INPUT', `invalid request for ${subject}: ${decoded.reason}`, {
                retryable: false,
              });
            }
            const result = await handler(decoded.value, { headers });
            const checked = replySchema.safeParse(result);
            if (!checked.success) {
              log.error({ issues: checked.error.issues.length }, 'handler returned an invalid reply');
              throw new ForgeError('INTERNAL', `${subject} produced an invalid reply`);
            }
            data = encoder.encode(JSON.stringify(checked.data));
          } catch (error) {
            const failure = error instanceof ForgeError ? error : internalError(error, log);
            ({ headers: replyHeaders, data } = encodeReplyError(failure));
          }
          send(msg, data, replyHeaders);
        },
        {
          kind: SpanKind.SERVER,
          attributes: { 'messaging.system': 'nats', 'messaging.destination.name': subject },
        },
      ),
    );
  }

  const sub = nc.subscribe(subject, {
    queue: opts.queue ?? subject,
    callback: (error, msg) => {
      if (error) {
        log.error({ err: String(error) }, 'serve subscription failed');
        return;
      }
      const done = answer(msg)
        .catch((cause) => log.error({ err: String(cause) }, 'could not answer a request'))
        .finally(() => inFlight.delete(done));
      inFlight.add(done);
    },
  });

  let unsubscribed: Promise<void> | undefined;
  const unsubscribe = (): Promise<void> => {
    unsubscribed ??= sub.isClosed() ? Promise.resolve() : sub.drain().catch(() => undefined);
    return unsubscribed;
  };
  let stopped: Promise<void> | undefined;
  return {
    ready: nc.flush(),
    unsubscribe,
    stop() {
      stopped ??= (async () => {
        await unsubscribe();
        await Promise.allSettled([...inFlight]);
        // The last replies leave now rather than on the next turn.
        replies?.flush();
      })();
      return stopped;
    },
  };
}

function internalError(error: unknown, log: Logger): ForgeError {
  log.error({ err: error instanceof Error ? error.message : String(error) }, 'request handler failed');
  return new ForgeError('INTERNAL', 'internal error while handling the request');
}
