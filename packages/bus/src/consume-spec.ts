import { describeIssues, ForgeError } from '@forge/contracts';
import type { Context } from '@opentelemetry/api';
import { z } from 'zod';

/** Default number of deliveries before a failing message is dead-lettered. */
export const DEFAULT_MAX_DELIVER = 5;
/** Default nak delays by delivery count, in milliseconds. */
export const DEFAULT_BACKOFF_MS: readonly number[] = [1000, 5000, 15000, 60000];
/** Default time JetStream waits for an ack before redelivering. */
export const DEFAULT_ACK_WAIT_MS = 30_000;

/** What a handler learns about the message it runs for. */
export interface MessageContext {
  readonly subject: string;
  readonly headers: Record<string, string>;
  /** 1 on the first delivery. */
  readonly deliveryCount: number;
  readonly streamSequence: number;
  /** Aborted when `stop()`'s grace period runs out; the message is then naked for another replica. */
  readonly signal: AbortSignal;
  /** The context of the consumer span, a child of the publisher's (from W3C headers). The handler runs inside it. */
  readonly traceContext: Context;
}

/** A durable pull consumer with bounded concurrency. See `Bus.consumer`. */
export interface ConsumeSpec<S extends z.ZodType> {
  stream: string;
  durable: string;
  /** One subject (wildcards allowed): NATS 2.9 takes a single filter per consumer. */
  filterSubject: string;
  schema: S;
  /** At most this many handlers run at once, and no more messages than that are pulled. */
  concurrency: number;
  /** Default 5: after this many deliveries a failing message is dead-lettered and termed. */
  maxDeliver?: number;
  /** Nak delay by delivery count, default [1000, 5000, 15000, 60000] ms (the last repeats). */
  backoffMs?: number[];
  /** Default 30000; the bus calls `working()` every ackWait/3 while a handler runs. */
  ackWaitMs?: number;
  /**
   * Runs one message. Resolve only after the result is committed: resolving acks the message.
   * Throw a retryable error to be redelivered after the backoff, a non-retryable ForgeError to
   * dead-letter it at once.
   */
  handler(value: z.output<S>, ctx: MessageContext): Promise<void>;
}

/** The running side of a `ConsumeSpec`. */
export interface TaskConsumer {
  /** Creates or updates the durable consumer (idempotently), then begins pulling. */
  start(): Promise<void>;
  /**
   * Stops pulling, waits up to `graceMs` (default 10000) for in-flight handlers, then aborts the
   * rest and naks them with no delay so another replica takes them. Resolves when every message
   * this consumer held is acked, naked or dead-lettered. Safe to call twice.
   */
  stop(graceMs?: number): Promise<void>;
  /** Messages held by this consumer whose outcome is not settled yet. */
  readonly inFlight: number;
}

/** NATS names: no dots, wildcards or whitespace. */
const NatsName = z.string().regex(/^[^.*>\s]+$/, 'must be a NATS name: no dots, wildcards or whitespace');

const ConsumeSettings = z.object({
  stream: NatsName,
  durable: NatsName,
  filterSubject: z.string().regex(/^[^\s]+$/, 'must be one subject without whitespace'),
  concurrency: z.int().min(1).max(10_000),
  maxDeliver: z.int().min(1).default(DEFAULT_MAX_DELIVER),
  backoffMs: z
    .array(z.int().min(0))
    .min(1)
    .default(() => [...DEFAULT_BACKOFF_MS]),
  ackWaitMs: z.int().min(1000).default(DEFAULT_ACK_WAIT_MS),
});

/** The validated, defaulted settings of a consumer. */
export type ConsumeSettings = z.output<typeof ConsumeSettings>;

/** Validates a spec's settings; BAD_CONFIG naming every bad field. */
export function parseConsumeSettings(spec: ConsumeSpec<z.ZodType>): ConsumeSettings {
  const result = ConsumeSettings.safeParse({
    stream: spec.stream,
    durable: spec.durable,
    filterSubject: spec.filterSubject,
    concurrency: spec.concurrency,
    maxDeliver: spec.maxDeliver,
    backoffMs: spec.backoffMs,
    ackWaitMs: spec.ackWaitMs,
  });
  if (result.success) return result.data;
  const issues = describeIssues(result.error, 'consumer');
  throw new ForgeError('BAD_CONFIG', `invalid consumer spec: ${issues.join('; ')}`, {
    retryable: false,
    details: { issues },
  });
}
