import pg from 'pg';
import { connectWithinDeadline } from './query-deadline.js';

/**
 * SQLSTATEs that say a connection's named prepared statement no longer matches the server:
 * `0A000` "cached plan must not change result type" (a migration changed a column type the
 * statement returns) and `26000` "prepared statement ... does not exist" (the server lost it:
 * `DEALLOCATE`/`DISCARD ALL`, a pooler between us and Postgres).
 */
export function isStaleStatementError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (code === '26000') return true;
  return (
    code === '0A000' &&
    typeof message === 'string' &&
    message.includes('cached plan must not change result type')
  );
}

/** pg's own record of the statements a connection has parsed (pg 8: `client.connection`). */
interface ParsedStatementCache {
  parsedStatements: Record<string, string>;
  submittedNamedStatements: Record<string, string>;
}

function statementCache(client: pg.PoolClient): ParsedStatementCache | null {
  const connection = (client as unknown as { connection?: Partial<ParsedStatementCache> }).connection;
  if (
    typeof connection?.parsedStatements === 'object' &&
    connection.parsedStatements !== null &&
    typeof connection.submittedNamedStatements === 'object' &&
    connection.submittedNamedStatements !== null
  ) {
    return connection as ParsedStatementCache;
  }
  return null;
}

/** True when this pg build keeps the per-connection statement cache `forgetPreparedStatements` clears. */
export function canForgetPreparedStatements(client: pg.PoolClient): boolean {
  return statementCache(client) !== null;
}

/**
 * Drops every prepared statement of this connection on the server (`DEALLOCATE ALL`) and in pg's
 * cache, so the next named query parses its text again. Returns false (and does nothing) when pg
 * keeps no cache we know: the caller must then discard the connection instead.
 */
export async function forgetPreparedStatements(client: pg.PoolClient): Promise<boolean> {
  const cache = statementCache(client);
  if (cache === null) return false;
  await client.query('DEALLOCATE ALL');
  for (const name of Object.keys(cache.parsedStatements)) delete cache.parsedStatements[name];
  for (const name of Object.keys(cache.submittedNamedStatements)) delete cache.submittedNamedStatements[name];
  return true;
}

/**
 * Runs one named statement on its own connection from the pool (waiting for one no longer than the
 * current `withQueryDeadline`, see query-deadline.ts), outside any transaction, and
 * survives a stale prepared statement once: when the server answers `0A000` (cached plan must not
 * change result type) or `26000` (prepared statement does not exist), it forgets that connection's
 * prepared statements and runs the statement again, on the same connection.
 *
 * Why the retry is safe: the statement ran alone in autocommit (a client fresh from the pool is
 * never inside a transaction), and both errors are raised before it executes (at Bind, or when the
 * plan is revalidated), so nothing was written and the implicit transaction was rolled back. That
 * is why this takes a pool and not a client: a statement inside an explicit transaction is never
 * retried here (the transaction is aborted; only the whole transaction could be run again).
 * Only one retry: a second failure of any kind is the caller's.
 *
 * If forgetting fails, or pg keeps no cache we can clear, the connection is destroyed and the
 * statement runs once more as an unnamed statement on another connection, which is parsed afresh.
 */
export async function queryNamedOnce<R extends pg.QueryResultRow>(
  pool: pg.Pool,
  config: pg.QueryConfig,
): Promise<pg.QueryResult<R>> {
  const client = await connectWithinDeadline(pool);
  // What release() gets: an error or true destroys the connection instead of pooling it again.
  let discard: Error | boolean = false;
  let released = false;
  try {
    try {
      return await client.query<R>(config);
    } catch (error) {
      if (config.name === undefined || !isStaleStatementError(error)) {
        discard = outOfSync(error);
        throw error;
      }
    }
    // The statement is stale on this connection (and did nothing): forget, then run it once more.
    let forgotten = false;
    try {
      forgotten = await forgetPreparedStatements(client);
    } catch (forgetError) {
      discard = forgetError as Error;
    }
    if (forgotten) {
      try {
        return await client.query<R>(config);
      } catch (error) {
        discard = outOfSync(error);
        throw error;
      }
    }
    client.release(discard === false ? true : discard);
    released = true;
    const { name: _name, ...unnamed } = config;
    return await pool.query<R>(unnamed);
  } finally {
    if (!released) client.release(discard);
  }
}

/**
 * A server's error answer leaves the connection in sync (the implicit transaction is rolled
 * back); anything else (a lost socket, a client-side timeout, a driver error) may not.
 */
function outOfSync(error: unknown): Error | false {
  if (error instanceof pg.DatabaseError) return false;
  return error instanceof Error ? error : new Error(String(error));
}
