import { extractTraceContext, injectTraceContext, type Logger } from '@forge/telemetry';
import { ClosedConnectionError, type NatsConnection } from '@nats-io/transport-node';
import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import type { z } from 'zod';
import { natsFailure } from './nats-errors.js';
import { headersToRecord, recordToHeaders } from './nats-headers.js';
import { decodeValidated, encodeValidated } from './payload.js';

/** Validated core NATS publish with the active trace context in its headers. At most once. */
export function coreEmit<S extends z.ZodType>(
  nc: NatsConnection,
  subject: string,
  schema: S,
  payload: z.input<S>,
  checked = false,
): void {
  const data = checked ? JSON.stringify(payload) : encodeValidated(schema, payload, subject);
  try {
    nc.publish(subject, data, { headers: recordToHeaders(injectTraceContext({})) });
  } catch (error) {
    throw natsFailure(error, `emit to ${subject}`);
  }
}

/**
 * `coreEmit` in two steps: validates and encodes now (BAD_INPUT), captures the active trace
 * context, and refuses a closed connection now (UNAVAILABLE); the returned function sends.
 */
export function prepareEmit<S extends z.ZodType>(
  nc: NatsConnection,
  subject: string,
  schema: S,
  payload: z.input<S>,
  checked = false,
): () => void {
  const data = checked ? JSON.stringify(payload) : encodeValidated(schema, payload, subject);
  const headers = recordToHeaders(injectTraceContext({}));
  if (nc.isClosed()) throw natsFailure(new ClosedConnectionError(), `emit to ${subject}`);
  return () => {
    try {
      nc.publish(subject, data, { headers });
    } catch (error) {
      throw natsFailure(error, `emit to ${subject}`);
    }
  };
}

/** What a subscriber learns about a message. */
export interface MessageMeta {
  subject: string;
  headers: Record<string, string>;
}

/** A running subscription. */
export interface Subscribed {
  /**
   * Resolves once the server has the subscription (what another connection publishes after it is
   * seen); with `flush: false`, at once (see `coreSubscribe`).
   */
  readonly ready: Promise<void>;
  unsubscribe(): void;
}

/**
 * Core NATS subscription. A message that is not JSON or fails `schema` is logged (with the field)
 * and skipped; so is an error thrown by `onMessage`, which runs inside the sender's trace context.
 *
 * `flush` (default true): `ready` is a PING/PONG round trip after the SUB. With `flush: false` no
 * round trip is made and `ready` resolves at once: for a caller whose next step is a publish on
 * this same connection, since the server handles one connection's protocol in order, the SUB is
 * in place before that publish is, and so before anything it causes.
 */
export function coreSubscribe<S extends z.ZodType>(
  nc: NatsConnection,
  logger: Logger,
  subject: string,
  schema: S,
  onMessage: (value: z.output<S>, meta: MessageMeta) => void,
  queue?: string,
  flush = true,
): Subscribed {
  const log = logger.child({ subscription: subject });
  const sub = nc.subscribe(subject, {
    ...(queue ? { queue } : {}),
    callback: (error, msg) => {
      if (error) {
        log.error({ err: String(error) }, 'subscription failed');
        return;
      }
      const decoded = decodeValidated(schema, msg.data);
      if (!decoded.ok) {
        log.warn({ subject: msg.subject, reason: decoded.reason }, 'invalid message skipped');
        return;
      }
      const headers = headersToRecord(msg.headers);
      const failed = (cause: unknown) =>
        log.error({ subject: msg.subject, err: String(cause) }, 'subscriber threw; message skipped');
      try {
        // An async onMessage is allowed too; its rejection is logged rather than left unhandled.
        const result: unknown = context.with(extractTraceContext(headers, ROOT_CONTEXT), () =>
          onMessage(decoded.value, { subject: msg.subject, headers }),
        );
        if (result instanceof Promise) result.catch(failed);
      } catch (cause) {
        failed(cause);
      }
    },
  });
  return {
    ready: flush ? nc.flush() : Promise.resolve(),
    unsubscribe() {
      if (!sub.isClosed()) sub.unsubscribe();
    },
  };
}
