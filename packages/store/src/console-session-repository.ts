import { createHash } from 'node:crypto';
import type pg from 'pg';
import { withPgErrors } from './pg-errors.js';
import { qualified } from './schema-name.js';

/** A live console session as a request sees it. */
export interface ConsoleSession {
  readonly operator: string;
  /** Sent back with every POST (form field or header) and compared in constant time. */
  readonly csrfToken: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

/** How long sessions live: `idleMs` without a request, `absoluteMs` at most. */
export interface SessionLifetimes {
  readonly idleMs: number;
  readonly absoluteMs: number;
}

/** One login attempt of an operator name, counted before its password is checked. */
export interface LoginAttempt {
  /** Attempts since the last success (or since the last lock ran out), this one included. */
  readonly attempts: number;
  /** Set once the count reached the limit; no password is checked until then. */
  readonly lockedUntil: Date | null;
  /** False when this attempt is over the limit: refuse it without checking the password. */
  readonly allowed: boolean;
}

/** Where a login stands for one operator name. */
export interface LoginThrottle {
  readonly failures: number;
  /** Set while the name is locked; no password is checked until then. */
  readonly lockedUntil: Date | null;
}

const sha256 = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/**
 * The console's sessions and login failures (migration 0050), in the brain's schema. Tokens are
 * stored as their SHA-256 only, so a database read never yields a usable cookie.
 */
export class PgConsoleSessionRepository {
  readonly #pool: pg.Pool;
  readonly #sessions: string;
  readonly #failures: string;

  constructor(pool: pg.Pool, schema: string) {
    this.#pool = pool;
    this.#sessions = qualified(schema, 'console_sessions');
    this.#failures = qualified(schema, 'console_login_failures');
  }

  /** Stores a new session for `token` (the cookie's value) and returns it. */
  async create(input: {
    token: string;
    operator: string;
    csrfToken: string;
    userAgent: string | null;
    lifetimes: SessionLifetimes;
    now: Date;
  }): Promise<ConsoleSession> {
    const { lifetimes, now } = input;
    const idle = new Date(now.getTime() + lifetimes.idleMs);
    const expires = new Date(now.getTime() + lifetimes.absoluteMs);
    await withPgErrors('console session create', () =>
      this.#pool.query(
        `INSERT INTO ${this.#sessions}
           (token_sha256, operator, csrf_token, created_at, last_seen_at, idle_until, expires_at, user_agent)
         VALUES ($1, $2, $3, $4, $4, $5, $6, $7)`,
        [
          sha256(input.token),
          input.operator,
          input.csrfToken,
          now,
          idle,
          expires,
          input.userAgent?.slice(0, 300) ?? null,
        ],
      ),
    );
    return { operator: input.operator, csrfToken: input.csrfToken, createdAt: now, expiresAt: expires };
  }

  /**
   * The session of `token` when it is live at `now` (and its idle deadline moves on), else null.
   * An expired row is deleted on the way.
   */
  async touch(token: string, lifetimes: SessionLifetimes, now: Date): Promise<ConsoleSession | null> {
    const result = await withPgErrors('console session read', () =>
      this.#pool.query<{ operator: string; csrf_token: string; created_at: Date; expires_at: Date }>(
        `UPDATE ${this.#sessions}
            SET last_seen_at = $2, idle_until = LEAST(expires_at, $2::timestamptz + make_interval(secs => $3::double precision / 1000))
          WHERE token_sha256 = $1 AND idle_until > $2 AND expires_at > $2
          RETURNING operator, csrf_token, created_at, expires_at`,
        [sha256(token), now, lifetimes.idleMs],
      ),
    );
    const row = result.rows[0];
    if (!row) {
      await this.#pool
        .query(`DELETE FROM ${this.#sessions} WHERE token_sha256 = $1`, [sha256(token)])
        .catch(() => undefined);
      return null;
    }
    return {
      operator: row.operator,
      csrfToken: row.csrf_token,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
    };
  }

  /** Whether the session of `token` is live at `now`, without moving its idle deadline. */
  async isLive(token: string, now: Date): Promise<boolean> {
    const result = await withPgErrors('console session check', () =>
      this.#pool.query(
        `SELECT 1 FROM ${this.#sessions} WHERE token_sha256 = $1 AND idle_until > $2 AND expires_at > $2`,
        [sha256(token), now],
      ),
    );
    return (result.rowCount ?? 0) > 0;
  }

  /** Ends the session of `token` (logout); true when there was one. */
  async delete(token: string): Promise<boolean> {
    const result = await withPgErrors('console session delete', () =>
      this.#pool.query(`DELETE FROM ${this.#sessions} WHERE token_sha256 = $1`, [sha256(token)]),
    );
    return (result.rowCount ?? 0) > 0;
  }

  /** Ends every session (the password was reset); returns how many there were. */
  async deleteAll(): Promise<number> {
    const result = await withPgErrors('console sessions delete', () =>
      this.#pool.query(`DELETE FROM ${this.#sessions}`),
    );
    return result.rowCount ?? 0;
  }

  /** Deletes every session that ended before `now`; returns how many. */
  async sweep(now: Date): Promise<number> {
    const result = await withPgErrors('console session sweep', () =>
      this.#pool.query(`DELETE FROM ${this.#sessions} WHERE expires_at <= $1 OR idle_until <= $1`, [now]),
    );
    return result.rowCount ?? 0;
  }

  /** Where logins of `operator` stand at `now` (a lock that ran out reads as no lock). */
  async throttle(operator: string, now: Date): Promise<LoginThrottle> {
    const result = await withPgErrors('console login throttle', () =>
      this.#pool.query<{ failures: number; locked_until: Date | null }>(
        `SELECT failures, locked_until FROM ${this.#failures} WHERE operator = $1`,
        [operator],
      ),
    );
    const row = result.rows[0];
    if (!row) return { failures: 0, lockedUntil: null };
    const locked = row.locked_until && row.locked_until > now ? row.locked_until : null;
    return { failures: row.failures, lockedUntil: locked };
  }

  /**
   * Counts one failed login of `operator`; the `maxFailures`-th in a row locks the name for
   * `lockMs`. A failure after a lock ran out starts the count again. Returns the new state.
   */
  async recordFailure(
    operator: string,
    maxFailures: number,
    lockMs: number,
    now: Date,
  ): Promise<LoginThrottle> {
    const result = await withPgErrors('console login failure', () =>
      this.#pool.query<{ failures: number; locked_until: Date | null }>(
        `INSERT INTO ${this.#failures} AS f (operator, failures, last_failure, locked_until)
           VALUES ($1, 1, $2, CASE WHEN 1 >= $3 THEN $2::timestamptz + make_interval(secs => $4::double precision / 1000) END)
         ON CONFLICT (operator) DO UPDATE SET
           failures = CASE WHEN f.locked_until IS NOT NULL AND f.locked_until <= $2 THEN 1 ELSE f.failures + 1 END,
           last_failure = $2,
           locked_until = CASE
             WHEN (CASE WHEN f.locked_until IS NOT NULL AND f.locked_until <= $2 THEN 1 ELSE f.failures + 1 END) >= $3
               THEN $2::timestamptz + make_interval(secs => $4::double precision / 1000)
             ELSE NULL END
         RETURNING failures, locked_until`,
        [operator, now, maxFailures, lockMs],
      ),
    );
    const row = result.rows[0]!;
    return { failures: row.failures, lockedUntil: row.locked_until };
  }

  /**
   * Counts one login attempt of `operator` BEFORE its password is checked, in one atomic
   * insert-or-update, so parallel attempts cannot all pass a check that read the count before any
   * of them was recorded. The first `maxFailures` attempts since the last success are allowed
   * (the `maxFailures`-th sets the lock, which a success then clears); every later one is refused
   * until the lock runs out, when the count starts again at this attempt.
   */
  async countAttempt(
    operator: string,
    maxFailures: number,
    lockMs: number,
    now: Date,
  ): Promise<LoginAttempt> {
    const result = await withPgErrors('console login attempt', () =>
      this.#pool.query<{ failures: number; locked_until: Date | null }>(
        `INSERT INTO ${this.#failures} AS f (operator, failures, last_failure, locked_until)
           VALUES ($1, 1, $2, CASE WHEN 1 >= $3 THEN $2::timestamptz + make_interval(secs => $4::double precision / 1000) END)
         ON CONFLICT (operator) DO UPDATE SET
           failures = CASE WHEN f.locked_until IS NOT NULL AND f.locked_until <= $2 THEN 1 ELSE f.failures + 1 END,
           last_failure = $2,
           locked_until = CASE
             WHEN f.locked_until IS NOT NULL AND f.locked_until > $2 THEN f.locked_until
             WHEN (CASE WHEN f.locked_until IS NOT NULL AND f.locked_until <= $2 THEN 1 ELSE f.failures + 1 END) >= $3
               THEN $2::timestamptz + make_interval(secs => $4::double precision / 1000)
             ELSE NULL END
         RETURNING failures, locked_until`,
        [operator, now, maxFailures, lockMs],
      ),
    );
    const row = result.rows[0]!;
    return { attempts: row.failures, lockedUntil: row.locked_until, allowed: row.failures <= maxFailures };
  }

  /** A successful login clears the name's failures. */
  async clearFailures(operator: string): Promise<void> {
    await withPgErrors('console login clear', () =>
      this.#pool.query(`DELETE FROM ${this.#failures} WHERE operator = $1`, [operator]),
    );
  }
}
