import {
  ArtifactChunk,
  ForgeError,
  parseOrThrow,
  RoutingDecision,
  splitSkillRef,
  TaskEnvelope,
  type TaskState,
} from '@forge/contracts';
import type pg from 'pg';
import { z } from 'zod';
import { artifactJson, emptyA2AExtras, mergeA2AExtras, normalizeA2AExtras } from './a2a-extras.js';
import { named } from './named-statement.js';
import { decodePageToken, encodePageToken } from './page-token.js';
import { withPgErrors } from './pg-errors.js';
import { qualified } from './schema-name.js';
import { queryNamedOnce } from './stale-statement.js';
import {
  A2AExtrasPatch,
  CreateTaskOptions,
  ListTasksQuery,
  type ListTasksResult,
  type TaskA2AExtras,
  type TaskRecord,
  type TaskRepository,
  TransitionChange,
} from './task-repository.js';
import { rowToRecord, TASK_COLUMNS, type TaskRow } from './task-row.js';
import { allowedFromStates, illegalTransition, taskNotFound } from './transition-rules.js';

const TaskId = z.uuid();

/**
 * TaskRepository over Postgres, in one brain's schema. Every statement names that schema (no
 * statement depends on a session's search_path). Every write but updateA2A is
 * a single statement; updateA2A holds a row lock for two statements and nothing else.
 */
export class PgTaskRepository implements TaskRepository {
  readonly #pool: pg.Pool;
  readonly #tasks: string;
  readonly #messageKeys: string;

  constructor(pool: pg.Pool, schema: string) {
    this.#pool = pool;
    this.#tasks = qualified(schema, 'tasks');
    this.#messageKeys = qualified(schema, 'message_keys');
  }

  async create(
    envelope: TaskEnvelope,
    options: CreateTaskOptions = {},
  ): Promise<{ record: TaskRecord; created: boolean }> {
    const task = parseOrThrow(TaskEnvelope, envelope, 'task envelope');
    const { a2a, durable } = parseOrThrow(CreateTaskOptions, options, 'create options');
    // The extras go in with the row: one commit. On a conflict nothing is written, so a repeated
    // create cannot add the history a second time. $14 false: synchronous_commit off for this
    // statement's transaction (see CreateTaskOptions.durable; set_config runs only then).
    const inserted = await this.#query<TaskRow>(
      `INSERT INTO ${this.#tasks} (id, skill, agent, owner, origin, idempotency_key, context_id, parent_id,
         input, routing, deadline, created_at, a2a)
       SELECT $1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9::jsonb, $10::jsonb, $11::timestamptz,
         date_trunc('milliseconds', $12::timestamptz), $13::jsonb
       WHERE NOT EXISTS (SELECT 1 FROM ${this.#messageKeys} WHERE key = $6)
         AND CASE WHEN $14::boolean THEN true
                  ELSE set_config('synchronous_commit', 'off', true) IS NOT NULL END
       ON CONFLICT DO NOTHING
       RETURNING ${TASK_COLUMNS}`,
      [
        task.id,
        task.skill,
        splitSkillRef(task.skill).agent,
        task.origin.by,
        JSON.stringify(task.origin),
        task.idempotencyKey,
        task.contextId,
        task.parentId ?? null,
        JSON.stringify(task.input ?? null),
        task.routing === undefined ? null : JSON.stringify(task.routing),
        task.deadline ?? null,
        task.createdAt,
        JSON.stringify(mergeA2AExtras(emptyA2AExtras(), a2a ?? {})),
        durable !== false,
      ],
    );
    const row = inserted.rows[0];
    if (row) return { record: rowToRecord(row), created: true };

    const existing = await this.#one(
      `SELECT ${TASK_COLUMNS} FROM ${this.#tasks} WHERE idempotency_key = $1`,
      [task.idempotencyKey],
    );
    if (existing) {
      // The key is meant to include the caller; a match owned by someone else is a collision,
      // and answering with that task would leak it.
      if (existing.owner !== task.origin.by) throw idempotencyCollision();
      return { record: existing, created: false };
    }
    const followUp = await this.#query<{ task_id: string; owner: string }>(
      `SELECT task_id, owner FROM ${this.#messageKeys} WHERE key = $1`,
      [task.idempotencyKey],
    );
    const held = followUp.rows[0];
    if (held) throw keyHeldByMessage(held.owner === task.origin.by ? held.task_id : undefined);
    throw new ForgeError('CONFLICT', `task id ${task.id} is already used by another task`, {
      retryable: false,
      details: { taskId: task.id },
    });
  }

  async get(id: string): Promise<TaskRecord | null> {
    if (!TaskId.safeParse(id).success) return null;
    return this.#one(`SELECT ${TASK_COLUMNS} FROM ${this.#tasks} WHERE id = $1`, [id]);
  }

  async getOwned(id: string, owner: string): Promise<TaskRecord | null> {
    if (!TaskId.safeParse(id).success) return null;
    return this.#one(`SELECT ${TASK_COLUMNS} FROM ${this.#tasks} WHERE id = $1 AND owner = $2`, [id, owner]);
  }

  async list(query: ListTasksQuery): Promise<ListTasksResult> {
    const q = parseOrThrow(ListTasksQuery, query, 'list query');
    const params: unknown[] = [q.owner];
    const where = ['owner = $1'];
    if (q.contextId !== undefined) where.push(`context_id = $${params.push(q.contextId)}`);
    if (q.state !== undefined) where.push(`state = $${params.push(q.state)}`);
    if (q.updatedAfter !== undefined)
      where.push(`updated_at >= $${params.push(q.updatedAfter)}::timestamptz`);
    const filters = where.join(' AND ');
    const countParams = [...params];
    if (q.pageToken !== undefined) {
      const cursor = decodePageToken(q.pageToken);
      const at = params.push(cursor.updatedAt);
      const id = params.push(cursor.id);
      where.push(`(updated_at, id) < ($${at}::timestamptz, $${id}::uuid)`);
    }
    const limit = params.push(q.pageSize + 1);
    const page = await this.#query<TaskRow>(
      `SELECT ${TASK_COLUMNS} FROM ${this.#tasks} WHERE ${where.join(' AND ')}
       ORDER BY updated_at DESC, id DESC LIMIT $${limit}`,
      params,
    );
    const count = await this.#query<{ total: number }>(
      `SELECT count(*)::int AS total FROM ${this.#tasks} WHERE ${filters}`,
      countParams,
    );
    const records = page.rows.slice(0, q.pageSize).map(rowToRecord);
    const last = records.at(-1);
    const more = page.rows.length > q.pageSize && last !== undefined;
    return {
      records,
      totalSize: count.rows[0]?.total ?? 0,
      ...(more ? { nextPageToken: encodePageToken({ updatedAt: last.updatedAt, id: last.id }) } : {}),
    };
  }

  async transition(id: string, change: TransitionChange): Promise<TaskRecord> {
    const c = parseOrThrow(TransitionChange, change, 'transition');
    if (!TaskId.safeParse(id).success) throw taskNotFound(id);
    const allowed = allowedFromStates(c.to, c.from);
    // A claim lost with a Postgres crash is redone only where working → to is a legal move.
    const claimSeq = c.claimSeq !== undefined && allowed.includes('working') ? c.claimSeq : null;
    if (allowed.length > 0) {
      // $10: the row is one change short of the holder's claim (see TransitionChange.claimSeq).
      // $11 false: synchronous_commit off for this statement's transaction (CASE keeps the order:
      // set_config runs only then).
      const moved = await this.#one(
        `UPDATE ${this.#tasks}
         SET state = $2,
             seq = seq + 1 + (CASE WHEN seq = $10::int - 1 THEN 1 ELSE 0 END),
             attempt = attempt + $3 + (CASE WHEN seq = $10::int - 1 THEN 1 ELSE 0 END),
             status_message = $4,
             output = COALESCE($5::jsonb, output), error = COALESCE($6::jsonb, error),
             updated_at = date_trunc('milliseconds', now()),
             a2a = CASE WHEN $8::jsonb IS NULL AND $9::jsonb IS NULL THEN a2a ELSE
               jsonb_set(jsonb_set(a2a,
                 '{history}', COALESCE(a2a->'history', '[]'::jsonb) || COALESCE($8::jsonb, '[]'::jsonb)),
                 '{metadata}', COALESCE(a2a->'metadata', '{}'::jsonb) || COALESCE($9::jsonb, '{}'::jsonb)) END
         WHERE id = $1 AND (state = ANY($7::text[]) OR seq = $10::int - 1)
           AND CASE WHEN $11::boolean THEN true
                    ELSE set_config('synchronous_commit', 'off', true) IS NOT NULL END
         RETURNING ${TASK_COLUMNS}`,
        [
          id,
          c.to,
          c.newAttempt ? 1 : 0,
          c.message ?? null,
          c.output === undefined ? null : JSON.stringify(c.output),
          c.error === undefined ? null : JSON.stringify(c.error),
          allowed,
          c.history === undefined ? null : JSON.stringify(c.history),
          c.metadata === undefined ? null : JSON.stringify(c.metadata),
          claimSeq,
          c.durable !== false,
        ],
      );
      if (moved) return moved;
    }
    const current = await this.#query<{ state: TaskState }>(
      `SELECT state FROM ${this.#tasks} WHERE id = $1`,
      [id],
    );
    const found = current.rows[0];
    if (!found) throw taskNotFound(id);
    throw illegalTransition(id, found.state, c.to, c.from);
  }

  async appendArtifact(id: string, chunk: ArtifactChunk, from: readonly TaskState[]): Promise<TaskRecord> {
    const c = parseOrThrow(ArtifactChunk, chunk, 'artifact chunk');
    if (!TaskId.safeParse(id).success) throw taskNotFound(id);
    // The merge runs in one statement: the artifact of this id has the chunk's parts appended
    // (`append`) or is replaced by it; a new id is added at the end. A change like any other:
    // seq grows, so listeners order it among the state changes.
    const moved = await this.#one(
      `UPDATE ${this.#tasks} t
       SET a2a = jsonb_set(t.a2a, '{artifacts}', CASE
             WHEN NOT EXISTS (SELECT 1 FROM jsonb_array_elements(COALESCE(t.a2a->'artifacts', '[]'::jsonb)) e
                              WHERE e->>'artifactId' = $2)
               THEN COALESCE(t.a2a->'artifacts', '[]'::jsonb) || jsonb_build_array($4::jsonb)
             ELSE (SELECT jsonb_agg(CASE
                     WHEN e->>'artifactId' <> $2 THEN e
                     WHEN $3::boolean THEN e || jsonb_build_object('parts', COALESCE(e->'parts', '[]'::jsonb) || ($4::jsonb->'parts'))
                     ELSE $4::jsonb END ORDER BY o)
                   FROM jsonb_array_elements(t.a2a->'artifacts') WITH ORDINALITY AS a(e, o))
           END),
           seq = t.seq + 1, updated_at = date_trunc('milliseconds', now())
       WHERE t.id = $1 AND t.state = ANY($5::text[])
       RETURNING ${TASK_COLUMNS}`,
      [id, c.artifactId, c.append, JSON.stringify(artifactJson(c)), [...from]],
    );
    if (moved) return moved;
    const current = await this.#query<{ state: TaskState }>(
      `SELECT state FROM ${this.#tasks} WHERE id = $1`,
      [id],
    );
    const found = current.rows[0];
    if (!found) throw taskNotFound(id);
    throw new ForgeError('ILLEGAL_TRANSITION', `task ${id} is ${found.state}; it takes no artifacts now`, {
      retryable: false,
      details: { taskId: id, from: found.state },
    });
  }

  async setRouting(id: string, decision: RoutingDecision): Promise<RoutingDecision> {
    const routing = parseOrThrow(RoutingDecision, decision, 'routing decision');
    if (!TaskId.safeParse(id).success) throw taskNotFound(id);
    const stored = await this.#query<{ routing: RoutingDecision | null }>(
      `UPDATE ${this.#tasks} SET routing = $2::jsonb WHERE id = $1 AND routing IS NULL RETURNING routing`,
      [id, JSON.stringify(routing)],
    );
    const first = stored.rows[0]?.routing;
    if (first) return first;
    const existing = await this.#query<{ routing: RoutingDecision | null }>(
      `SELECT routing FROM ${this.#tasks} WHERE id = $1`,
      [id],
    );
    const row = existing.rows[0];
    if (!row) throw taskNotFound(id);
    if (row.routing === null) {
      // Only reachable if the column was cleared between the two statements; nothing clears it.
      throw new ForgeError('CONFLICT', `routing of task ${id} changed while being set`, { retryable: true });
    }
    return row.routing;
  }

  async updateA2A(id: string, a2a: Partial<TaskA2AExtras>): Promise<void> {
    const patch = parseOrThrow(A2AExtrasPatch, a2a, 'a2a extras');
    if (!TaskId.safeParse(id).success) throw taskNotFound(id);
    // The merge runs in code, so the row is locked from read to write: a short transaction with
    // nothing but these two statements in it (never a publish or a model call). An optimistic
    // retry loop starved under two busy writers; the lock serializes them instead.
    await withPgErrors('merge A2A extras', () => this.#mergeA2A(id, patch));
  }

  async appendMessage(
    id: string,
    message: unknown,
    key: { idempotencyKey: string; owner: string },
  ): Promise<void> {
    const patch = parseOrThrow(A2AExtrasPatch, { history: [message] }, 'a2a extras');
    if (!TaskId.safeParse(id).success) throw taskNotFound(id);
    // Claiming the key and adding the message commit together: a key never names a message the
    // task does not hold, and a second caller of the same key finds it taken.
    await withPgErrors('append a message', () =>
      this.#mergeA2A(id, patch, async (client) => {
        const first = await client.query<{ id: string }>(
          `SELECT id FROM ${this.#tasks} WHERE idempotency_key = $1 AND id <> $2`,
          [key.idempotencyKey, id],
        );
        const other = first.rows[0];
        if (other) throw keyHeldByMessage(other.id);
        const claimed = await client.query<{ task_id: string }>(
          `INSERT INTO ${this.#messageKeys} (key, owner, task_id) VALUES ($1, $2, $3)
           ON CONFLICT (key) DO NOTHING RETURNING task_id`,
          [key.idempotencyKey, key.owner, id],
        );
        if (claimed.rows[0]) return;
        const held = await client.query<{ task_id: string; owner: string }>(
          `SELECT task_id, owner FROM ${this.#messageKeys} WHERE key = $1`,
          [key.idempotencyKey],
        );
        const row = held.rows[0];
        if (row && row.task_id !== id)
          throw keyHeldByMessage(row.owner === key.owner ? row.task_id : undefined);
      }),
    );
  }

  async flush(): Promise<void> {
    // txid_current() gives the statement's transaction an xid, so its commit writes a commit
    // record and (synchronous_commit on, the session's default) waits for the WAL flush up to it:
    // every commit before it, on any connection, is then on disk too.
    await this.#query('SELECT txid_current()');
  }

  async #mergeA2A(
    id: string,
    patch: Partial<TaskA2AExtras>,
    before?: (client: pg.PoolClient) => Promise<void>,
  ): Promise<void> {
    const client = await this.#pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      try {
        const read = await client.query<{ a2a: TaskA2AExtras }>(
          `SELECT a2a FROM ${this.#tasks} WHERE id = $1 FOR UPDATE`,
          [id],
        );
        const row = read.rows[0];
        if (!row) throw taskNotFound(id);
        await before?.(client);
        const merged = mergeA2AExtras(normalizeA2AExtras(row.a2a), patch);
        await client.query(`UPDATE ${this.#tasks} SET a2a = $2::jsonb WHERE id = $1`, [
          id,
          JSON.stringify(merged),
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: unknown) => {
          broken = rollbackError as Error;
        });
        throw error;
      }
    } finally {
      // A connection whose rollback failed is in an unknown state: destroy it, never reuse it.
      client.release(broken);
    }
  }

  async #one(text: string, values: unknown[]): Promise<TaskRecord | null> {
    const result = await this.#query<TaskRow>(text, values);
    const row = result.rows[0];
    return row ? rowToRecord(row) : null;
  }

  /** Every pool query goes through here, so driver errors leave as ForgeErrors (see pg-errors). */
  #query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    return withPgErrors('task repository', () => queryNamedOnce<R>(this.#pool, named(text, values)));
  }
}

/** A key a message already holds: names the task when it is the same caller's (their own data). */
function keyHeldByMessage(taskId: string | undefined): ForgeError {
  return new ForgeError(
    'CONFLICT',
    taskId
      ? `idempotencyKey: already names a message of task ${taskId}`
      : 'idempotencyKey: already used by another owner',
    { retryable: false, ...(taskId ? { details: { taskId } } : {}) },
  );
}

function idempotencyCollision(): ForgeError {
  return new ForgeError('CONFLICT', 'idempotencyKey: already used by another owner', { retryable: false });
}
