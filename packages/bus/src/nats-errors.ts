import { ForgeError } from '@forge/contracts';
import {
  ClosedConnectionError,
  ConnectionError,
  DrainingConnectionError,
  NoRespondersError,
  RequestError,
  TimeoutError,
} from '@nats-io/transport-node';

function isUnavailableError(error: unknown): boolean {
  return (
    error instanceof TimeoutError ||
    error instanceof NoRespondersError ||
    error instanceof RequestError ||
    error instanceof ClosedConnectionError ||
    error instanceof DrainingConnectionError ||
    error instanceof ConnectionError
  );
}

/**
 * Whether a NATS error means "nobody could answer now", which another attempt may fix. The
 * JetStream client wraps these (a publish with no stream behind it fails as "jetstream is not
 * enabled" caused by a no-responders RequestError), so the cause chain is searched.
 */
export function isUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    if (isUnavailableError(current)) return true;
    current = current.cause;
  }
  return false;
}

/** A NATS failure as a ForgeError: UNAVAILABLE (retryable) when the server or a responder was missing. */
export function natsFailure(error: unknown, what: string): ForgeError {
  if (error instanceof ForgeError) return error;
  const detail = describeNatsError(error);
  if (isUnavailable(error)) {
    return new ForgeError('UNAVAILABLE', `${what}: ${detail}`, { retryable: true, cause: error });
  }
  return new ForgeError('INTERNAL', `${what}: ${detail}`, { cause: error });
}

function describeNatsError(error: unknown): string {
  if (error instanceof Error && error.cause instanceof RequestError && error.cause.isNoResponders()) {
    return 'no responders (no stream takes this subject, or JetStream is down)';
  }
  if (error instanceof RequestError && error.isNoResponders()) return 'no responders';
  if (error instanceof NoRespondersError) return 'no responders';
  if (error instanceof TimeoutError) return 'timed out';
  if (error instanceof RequestError && error.cause instanceof TimeoutError) return 'timed out';
  return error instanceof Error ? error.message : String(error);
}
