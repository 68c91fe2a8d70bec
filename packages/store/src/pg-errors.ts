import { ForgeError } from '@forge/contracts';
import pg from 'pg';
import { metWhileOpening } from './pool-connecting.js';

/**
 * SQLSTATE classes and codes worth another attempt: the connection failed or the server is going
 * away, too many connections, or a serialization failure/deadlock that a retry resolves.
 */
const TRANSIENT_CLASSES = new Set(['08', '53', '57']);
const TRANSIENT_CODES = new Set(['40001', '40P01', '55P03']);
/** pg-pool's error when no connection came free within `connectionTimeoutMillis` (the pool was full). */
const POOL_EXHAUSTED = 'timeout exceeded when trying to connect';

/**
 * Runs `fn` and turns whatever Postgres or the driver throws into a ForgeError, so callers (the
 * bus's ack/nak/dead-letter decision above all) can match on `code`: a transient failure
 * (connection refused or lost, server shutdown, serialization failure) becomes UNAVAILABLE and
 * retryable; a full pool that gave no connection within its wait is OVERLOADED (retryable, with
 * `details.reason` `database`: the edges answer it as overload, never as a bare 503), unless its
 * connections were still being opened all that time (the server hangs: UNAVAILABLE); anything
 * else the database refused is INTERNAL. ForgeErrors pass
 * through unchanged. `what` names the operation in the message.
 */
export async function withPgErrors<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toForgeError(error, what);
  }
}

export function toForgeError(error: unknown, what: string): ForgeError {
  if (error instanceof ForgeError) return error;
  if (error instanceof pg.DatabaseError) {
    const code = error.code ?? '';
    const transient = TRANSIENT_CODES.has(code) || TRANSIENT_CLASSES.has(code.slice(0, 2));
    return new ForgeError(
      transient ? 'UNAVAILABLE' : 'INTERNAL',
      `${what}: postgres ${code}: ${error.message}`,
      {
        cause: error,
        retryable: transient,
        details: { sqlstate: code },
      },
    );
  }
  // Not a server answer: the socket, the pool or the driver failed (ECONNREFUSED, "Connection
  // terminated unexpectedly").
  const message = error instanceof Error ? error.message : String(error);
  if (message === POOL_EXHAUSTED && metWhileOpening(error)) {
    // The pool's slots were taken by connections still being opened for the whole wait: the
    // server is slow to accept them (hanging, restarting). An outage, not this process's load.
    return new ForgeError(
      'UNAVAILABLE',
      `${what}: postgres did not accept a connection within the pool's wait (connections still opening)`,
      { cause: error, retryable: true },
    );
  }
  if (message === POOL_EXHAUSTED) {
    // pg-pool says this only when every connection was checked out for the whole wait (a slow
    // new connection says "Connection terminated due to connection timeout"): the server is
    // reachable, this process asks more of it than its pool holds. Overload, not an outage.
    return new ForgeError(
      'OVERLOADED',
      `${what}: every database connection stayed busy for the pool's whole wait; try again later`,
      { cause: error, retryable: true, details: { reason: 'database' } },
    );
  }
  return new ForgeError('UNAVAILABLE', `${what}: postgres unreachable: ${message}`, {
    cause: error,
    retryable: true,
  });
}
