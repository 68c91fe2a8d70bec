import type pg from 'pg';

/** Per pool made by `createPool`: its clients that have finished connecting and are not removed. */
const opened = new WeakMap<pg.Pool, Set<pg.PoolClient>>();

/** Counts `pool`'s connected clients from its events (called once, by `createPool`). */
export function trackConnections(pool: pg.Pool): void {
  const clients = new Set<pg.PoolClient>();
  opened.set(pool, clients);
  pool.on('connect', (client) => clients.add(client));
  pool.on('remove', (client) => clients.delete(client));
}

/**
 * How many of `pool`'s connections are still being opened (0 for a pool `createPool` did not
 * make). A pool whose slots are taken by connections still opening is not busy with work: the
 * server is slow to accept (hanging, restarting), which is an outage, not overload.
 */
export function connectionsOpening(pool: pg.Pool): number {
  const clients = opened.get(pool);
  return clients === undefined ? 0 : Math.max(0, pool.totalCount - clients.size);
}

/** Errors of pool waits that ended while connections were still being opened (see pg-errors). */
const whileOpening = new WeakSet<object>();

/** Marks `error` (a pool wait's timeout) as met while `pool` was still opening connections. */
export function markIfOpening(pool: pg.Pool, error: unknown): unknown {
  if (error instanceof Error && connectionsOpening(pool) > 0) whileOpening.add(error);
  return error;
}

/** Whether `markIfOpening` marked `error`. */
export function metWhileOpening(error: unknown): boolean {
  return error instanceof Error && whileOpening.has(error);
}
