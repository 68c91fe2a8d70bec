import { AsyncLocalStorage } from 'node:async_hooks';
import { ForgeError } from '@forge/contracts';
import type pg from 'pg';
import { connectionsOpening } from './pool-connecting.js';

const deadlines = new AsyncLocalStorage<number>();

/**
 * Runs `fn` with a deadline (epoch ms) for the pool waits of the statements it makes through the
 * repositories' named statements: a statement that would wait for a connection past it fails
 * OVERLOADED instead of waiting the pool's whole `connectionTimeoutMs`. A caller's edge sets it to
 * the call's own deadline, so no call waits for Postgres after its caller has stopped waiting.
 * Nested calls keep the earlier deadline.
 */
export function withQueryDeadline<T>(deadline: number, fn: () => Promise<T>): Promise<T> {
  const outer = deadlines.getStore();
  return deadlines.run(outer === undefined ? deadline : Math.min(outer, deadline), fn);
}

/**
 * Runs `fn` with no query deadline: for work that is not the current caller's alone (a budget
 * lease several calls share, a background refill), so one caller's short deadline never fails the
 * others, and a caller already past its deadline can still start it. A caller that waits for such
 * work bounds its own wait with {@link untilQueryDeadline}.
 */
export function withoutQueryDeadline<T>(fn: () => Promise<T>): Promise<T> {
  return deadlines.exit(fn);
}

/**
 * Waits for `shared` (work made under {@link withoutQueryDeadline}) no longer than the current
 * query deadline: past it, this caller alone gets OVERLOADED, and the work runs on for the others.
 */
export function untilQueryDeadline<T>(shared: Promise<T>): Promise<T> {
  const deadline = deadlines.getStore();
  if (deadline === undefined) return shared;
  const left = deadline - Date.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new ForgeError(
            'OVERLOADED',
            `the database work this call shares with others did not end before its deadline (${Math.max(0, left)} ms of waiting); try again later`,
            { retryable: true, details: { reason: 'database' } },
          ),
        ),
      Math.max(0, left),
    );
    shared.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** The deadline `withQueryDeadline` set around the current code, if any. */
export function queryDeadline(): number | undefined {
  return deadlines.getStore();
}

/**
 * A connection from the pool, waiting at most until the current query deadline (and never longer
 * than the pool's own wait). When the deadline comes first the request stays in pg-pool's queue
 * and the connection it gets later goes straight back. Past the deadline an idle connection is
 * still taken (it costs no one a wait); only a wait is refused.
 */
export function connectWithinDeadline(pool: pg.Pool): Promise<pg.PoolClient> {
  const deadline = deadlines.getStore();
  if (deadline === undefined) return pool.connect();
  const left = deadline - Date.now();
  if (left <= 0) {
    return pool.idleCount > pool.waitingCount ? pool.connect() : Promise.reject(pastDeadline(0));
  }
  return new Promise((resolve, reject) => {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      reject(connectionsOpening(pool) > 0 ? notAccepting(left) : pastDeadline(left));
    }, left);
    pool.connect().then(
      (client) => {
        clearTimeout(timer);
        if (late) client.release();
        else resolve(client);
      },
      (error: unknown) => {
        clearTimeout(timer);
        if (!late) reject(error);
      },
    );
  });
}

function pastDeadline(waitedMs: number): ForgeError {
  return new ForgeError(
    'OVERLOADED',
    `every database connection stayed busy until the call's deadline (${waitedMs} ms of waiting); try again later`,
    { retryable: true, details: { reason: 'database' } },
  );
}

/** The wait ended while the pool's connections were still being opened: the server is slow to accept. */
function notAccepting(waitedMs: number): ForgeError {
  return new ForgeError(
    'UNAVAILABLE',
    `postgres did not accept a connection before the call's deadline (${waitedMs} ms of waiting, connections still opening)`,
    { retryable: true },
  );
}
