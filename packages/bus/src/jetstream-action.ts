import { assertNever, type ErrorCode, ForgeError } from '@forge/contracts';

/** What became of one delivery of a message. */
export type DeliveryOutcome =
  /** The handler resolved: its result is committed. */
  | { readonly kind: 'resolved' }
  /** The handler threw. */
  | { readonly kind: 'failed'; readonly error: unknown }
  /** The payload is not JSON or fails the consumer's schema; `reason` names the field. */
  | { readonly kind: 'invalid'; readonly reason: string }
  /** `stop()`'s grace period ran out while the handler was still running. */
  | { readonly kind: 'interrupted' }
  /**
   * The message arrived with more deliveries than `maxDeliver` allows, so earlier attempts ended
   * without an outcome (the process died, or the ack wait ran out): a message that crashes its
   * worker must not crash every worker forever.
   */
  | { readonly kind: 'over-delivered' };

/** The consumer settings the action depends on, and how often this message was delivered. */
export interface DeliveryPolicy {
  /** 1 on the first delivery. */
  readonly deliveryCount: number;
  readonly maxDeliver: number;
  /** Nak delay by delivery count: entry `n-1` after the n-th delivery, the last entry after that. */
  readonly backoffMs: readonly number[];
}

/** What to tell JetStream about a delivery. `dead-letter` means: publish to the DLQ, then term. */
export type JetStreamAction =
  | { readonly kind: 'ack' }
  | { readonly kind: 'nak'; readonly delayMs: number }
  | { readonly kind: 'dead-letter'; readonly code: ErrorCode; readonly reason: string };

/** The nak delay after the `deliveryCount`-th delivery failed. */
export function backoffDelay(deliveryCount: number, backoffMs: readonly number[]): number {
  if (backoffMs.length === 0) return 0;
  const index = Math.min(Math.max(deliveryCount, 1), backoffMs.length) - 1;
  return backoffMs[index] ?? 0;
}

/**
 * Maps a delivery's outcome to its JetStream action. This is the one place that decides it:
 *
 * - resolved → ack
 * - interrupted (shutdown) → nak with no delay, so another replica takes it at once
 * - invalid payload → dead-letter now (another attempt cannot fix it), code BAD_INPUT
 * - over-delivered → dead-letter now
 * - threw a non-retryable ForgeError → dead-letter with its code
 * - threw a retryable error → nak with the backoff for this delivery count, or dead-letter when
 *   this was delivery `maxDeliver` (the server's own max_deliver is unlimited, so nothing is
 *   dropped silently). Anything thrown that is not a ForgeError counts as retryable with code
 *   INTERNAL: most such errors are transient faults (a reset socket), and `maxDeliver` bounds it.
 */
export function jetstreamAction(outcome: DeliveryOutcome, policy: DeliveryPolicy): JetStreamAction {
  switch (outcome.kind) {
    case 'resolved':
      return { kind: 'ack' };
    case 'interrupted':
      return { kind: 'nak', delayMs: 0 };
    case 'invalid':
      return { kind: 'dead-letter', code: 'BAD_INPUT', reason: outcome.reason };
    case 'over-delivered':
      return {
        kind: 'dead-letter',
        code: 'INTERNAL',
        reason: `delivered ${policy.deliveryCount} times (maxDeliver ${policy.maxDeliver}) without an outcome: earlier attempts crashed or ran out of ack wait`,
      };
    case 'failed': {
      const error =
        outcome.error instanceof ForgeError ? outcome.error : ForgeError.from(outcome.error, 'INTERNAL');
      const retryable = outcome.error instanceof ForgeError ? error.retryable : true;
      if (!retryable) {
        return { kind: 'dead-letter', code: error.code, reason: `${error.code}: ${error.message}` };
      }
      if (policy.deliveryCount >= policy.maxDeliver) {
        return {
          kind: 'dead-letter',
          code: error.code,
          reason: `gave up after ${policy.deliveryCount} deliveries: ${error.code}: ${error.message}`,
        };
      }
      return { kind: 'nak', delayMs: backoffDelay(policy.deliveryCount, policy.backoffMs) };
    }
    default:
      return assertNever(outcome, 'delivery outcome');
  }
}
