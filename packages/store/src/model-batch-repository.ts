import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { withPgErrors } from './pg-errors.js';
import { qualified } from './schema-name.js';

/** A vendor with a batch API. */
export type BatchProvider = 'anthropic' | 'openai';

/** What identifies a deferred call: its task, call number and request fingerprint. */
export interface DeferredKey {
  taskId: string;
  callId: number;
  fingerprint: string;
}

/** A deferred call as the router stores it (see migration 0035). JSON fields are the router's own. */
export interface DeferredRequest extends DeferredKey {
  attempt: number;
  customId: string;
  skill: string;
  provider: BatchProvider;
  model: string;
  tier: string;
  context: unknown;
  input: unknown;
  request: unknown;
  reservationId: string | null;
  reservedMicros: number;
  state: 'queued' | 'submitted' | 'done';
  batchId: string | null;
  dueBy: Date;
  fallbackClaims: number;
  reply: unknown;
  resolution: string | null;
  createdAt: Date;
}

export type NewDeferredRequest = Omit<
  DeferredRequest,
  'state' | 'batchId' | 'fallbackClaims' | 'reply' | 'resolution' | 'createdAt'
>;

/** A vendor batch as the router stores it. */
export interface ModelBatch {
  id: string;
  provider: BatchProvider;
  model: string;
  vendorBatchId: string | null;
  state: 'submitting' | 'submitted' | 'canceling' | 'ended' | 'failed';
  requestCount: number;
  createdAt: Date;
}

/** Who takes a lease and for how long. */
export interface Lease {
  owner: string;
  leaseMs: number;
}

/**
 * The deferred calls and vendor batches of one brain. Every claim is one statement that takes a
 * lease (`FOR UPDATE SKIP LOCKED`, so replicas never take the same rows), and no transaction is
 * held while a vendor is called; a replica that dies leaves leases that expire for another to
 * take over.
 */
export interface ModelBatchRepository {
  /** Stores a new deferred call, or returns the one already stored under its key (`created` false). */
  enqueue(request: NewDeferredRequest): Promise<{ request: DeferredRequest; created: boolean }>;
  find(key: DeferredKey): Promise<DeferredRequest | null>;
  /**
   * Claims up to `maxRequests` queued calls of one model (the model of the oldest) into a new
   * batch in state `submitting`, leased to `lease.owner`. Calls already claimed for a normal call
   * are left out. Null when nothing is queued.
   */
  claimForBatch(
    lease: Lease,
    maxRequests: number,
  ): Promise<{ batch: ModelBatch; requests: DeferredRequest[] } | null>;
  /** The vendor took the batch: it is `submitted`, its lease released. */
  markSubmitted(batchId: string, vendorBatchId: string): Promise<void>;
  /**
   * The vendor refused or could not take the batch: it is `failed`. With `requeue`, its calls go
   * back to the queue for the next batch; otherwise they fall due now (a normal call answers them).
   */
  markSubmitFailed(batchId: string, error: string, requeue: boolean): Promise<void>;
  /** Leases submitted (or canceling) batches not polled for `pollMs`, up to `limit`. */
  claimForPoll(lease: Lease, pollMs: number, limit: number): Promise<ModelBatch[]>;
  /** Releases a batch's lease after a poll that found it still running (or canceling). */
  releaseBatch(batchId: string, state?: 'canceling'): Promise<void>;
  /** Ends a batch: `ended` (results read) or `failed` (the vendor gave up on it). */
  endBatch(batchId: string, state: 'ended' | 'failed', error?: string): Promise<void>;
  requestsOf(batchId: string): Promise<DeferredRequest[]>;
  /** Makes a call due now (its batch gave no answer): the next round answers it with a normal call. */
  makeDue(key: DeferredKey): Promise<void>;
  /** Answers a call; false when it was answered already (the first answer stands). */
  resolve(key: DeferredKey, reply: unknown, resolution: string): Promise<boolean>;
  /**
   * Claims calls past their `due_by` and not answered, for a normal call: each claim counts in
   * `fallbackClaims` and leases the call for `leaseMs`, so a replica that dies mid-call lets
   * another claim it again.
   */
  claimOverdue(lease: Lease, limit: number): Promise<DeferredRequest[]>;
  /** The database's clock: `due_by` is compared with it, so every replica agrees when a call is due. */
  now(): Promise<Date>;
}

interface RequestRow {
  task_id: string;
  call_id: number;
  fingerprint: string;
  attempt: number;
  custom_id: string;
  skill: string;
  provider: BatchProvider;
  model: string;
  tier: string;
  context: unknown;
  input: unknown;
  request: unknown;
  reservation_id: string | null;
  reserved_micros: string;
  state: DeferredRequest['state'];
  batch_id: string | null;
  due_by: Date;
  fallback_claims: number;
  reply: unknown;
  resolution: string | null;
  created_at: Date;
}

interface BatchRow {
  id: string;
  provider: BatchProvider;
  model: string;
  vendor_batch_id: string | null;
  state: ModelBatch['state'];
  request_count: number;
  created_at: Date;
}

const REQUEST_COLUMNS = `task_id, call_id, fingerprint, attempt, custom_id, skill, provider, model, tier, context,
  input, request, reservation_id, reserved_micros, state, batch_id, due_by, fallback_claims, reply, resolution,
  created_at`;

function fromRequestRow(r: RequestRow): DeferredRequest {
  return {
    taskId: r.task_id,
    callId: r.call_id,
    fingerprint: r.fingerprint,
    attempt: r.attempt,
    customId: r.custom_id,
    skill: r.skill,
    provider: r.provider,
    model: r.model,
    tier: r.tier,
    context: r.context,
    input: r.input,
    request: r.request,
    reservationId: r.reservation_id,
    reservedMicros: Number(r.reserved_micros),
    state: r.state,
    batchId: r.batch_id,
    dueBy: r.due_by,
    fallbackClaims: r.fallback_claims,
    reply: r.reply,
    resolution: r.resolution,
    createdAt: r.created_at,
  };
}

function fromBatchRow(r: BatchRow): ModelBatch {
  return {
    id: r.id,
    provider: r.provider,
    model: r.model,
    vendorBatchId: r.vendor_batch_id,
    state: r.state,
    requestCount: r.request_count,
    createdAt: r.created_at,
  };
}

/** ModelBatchRepository over the `model_batches` and `model_batch_requests` tables of one brain's schema. */
export class PgModelBatchRepository implements ModelBatchRepository {
  readonly #pool: pg.Pool;
  readonly #requests: string;
  readonly #batches: string;

  constructor(pool: pg.Pool, schema: string) {
    this.#pool = pool;
    this.#requests = qualified(schema, 'model_batch_requests');
    this.#batches = qualified(schema, 'model_batches');
  }

  async enqueue(request: NewDeferredRequest): Promise<{ request: DeferredRequest; created: boolean }> {
    const inserted = await withPgErrors('deferred call enqueue', () =>
      this.#pool.query<RequestRow>(
        `INSERT INTO ${this.#requests} (task_id, call_id, fingerprint, attempt, custom_id, skill, provider, model,
           tier, context, input, request, reservation_id, reserved_micros, due_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
         ON CONFLICT (task_id, call_id, fingerprint) DO NOTHING
         RETURNING ${REQUEST_COLUMNS}`,
        [
          request.taskId,
          request.callId,
          request.fingerprint,
          request.attempt,
          request.customId,
          request.skill,
          request.provider,
          request.model,
          request.tier,
          JSON.stringify(request.context),
          JSON.stringify(request.input),
          JSON.stringify(request.request),
          request.reservationId,
          String(request.reservedMicros),
          request.dueBy,
        ],
      ),
    );
    const row = inserted.rows[0];
    if (row) return { request: fromRequestRow(row), created: true };
    const existing = await this.find(request);
    if (!existing) throw new Error('deferred call enqueue: the row it conflicted with is gone');
    return { request: existing, created: false };
  }

  async find(key: DeferredKey): Promise<DeferredRequest | null> {
    const result = await withPgErrors('deferred call read', () =>
      this.#pool.query<RequestRow>(
        `SELECT ${REQUEST_COLUMNS} FROM ${this.#requests} WHERE task_id = $1 AND call_id = $2 AND fingerprint = $3`,
        [key.taskId, key.callId, key.fingerprint],
      ),
    );
    const row = result.rows[0];
    return row ? fromRequestRow(row) : null;
  }

  async claimForBatch(lease: Lease, maxRequests: number) {
    const batchId = randomUUID();
    return withPgErrors('deferred calls claim', async () => {
      const client = await this.#pool.connect();
      try {
        await client.query('BEGIN');
        const picked = await client.query<{
          task_id: string;
          call_id: number;
          fingerprint: string;
          provider: BatchProvider;
          model: string;
        }>(
          `SELECT task_id, call_id, fingerprint, provider, model FROM ${this.#requests}
           WHERE state = 'queued' AND fallback_claims = 0
             AND model = (SELECT model FROM ${this.#requests} WHERE state = 'queued' AND fallback_claims = 0
                          ORDER BY created_at LIMIT 1)
           ORDER BY created_at LIMIT $1
           FOR UPDATE SKIP LOCKED`,
          [maxRequests],
        );
        const first = picked.rows[0];
        if (!first) {
          await client.query('ROLLBACK');
          return null;
        }
        const batch = await client.query<BatchRow>(
          `INSERT INTO ${this.#batches} (id, provider, model, state, request_count, lease_owner, lease_until)
           VALUES ($1, $2, $3, 'submitting', $4, $5, now() + make_interval(secs => $6::double precision / 1000))
           RETURNING id, provider, model, vendor_batch_id, state, request_count, created_at`,
          [batchId, first.provider, first.model, picked.rows.length, lease.owner, lease.leaseMs],
        );
        const claimed = await client.query<RequestRow>(
          `UPDATE ${this.#requests} SET state = 'submitted', batch_id = $1
           WHERE (task_id, call_id, fingerprint) IN (
             SELECT * FROM unnest($2::uuid[], $3::int[], $4::text[]))
           RETURNING ${REQUEST_COLUMNS}`,
          [
            batchId,
            picked.rows.map((r) => r.task_id),
            picked.rows.map((r) => r.call_id),
            picked.rows.map((r) => r.fingerprint),
          ],
        );
        await client.query('COMMIT');
        return { batch: fromBatchRow(batch.rows[0]!), requests: claimed.rows.map(fromRequestRow) };
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    });
  }

  async markSubmitted(batchId: string, vendorBatchId: string): Promise<void> {
    await withPgErrors('batch submitted', () =>
      this.#pool.query(
        `UPDATE ${this.#batches} SET state = 'submitted', vendor_batch_id = $2, submitted_at = now(),
           lease_owner = NULL, lease_until = NULL WHERE id = $1`,
        [batchId, vendorBatchId],
      ),
    );
  }

  async markSubmitFailed(batchId: string, error: string, requeue: boolean): Promise<void> {
    await withPgErrors('batch submit failed', async () => {
      await this.#pool.query(
        `UPDATE ${this.#batches} SET state = 'failed', error = $2, ended_at = now(), lease_owner = NULL,
           lease_until = NULL WHERE id = $1`,
        [batchId, error.slice(0, 2000)],
      );
      await this.#pool.query(
        requeue
          ? `UPDATE ${this.#requests} SET state = 'queued', batch_id = NULL WHERE batch_id = $1 AND state <> 'done'`
          : `UPDATE ${this.#requests} SET due_by = least(due_by, now()) WHERE batch_id = $1 AND state <> 'done'`,
        [batchId],
      );
    });
  }

  async claimForPoll(lease: Lease, pollMs: number, limit: number): Promise<ModelBatch[]> {
    const result = await withPgErrors('batches claim for poll', () =>
      this.#pool.query<BatchRow>(
        `UPDATE ${this.#batches} SET lease_owner = $1,
           lease_until = now() + make_interval(secs => $2::double precision / 1000), last_polled_at = now()
         WHERE id IN (
           SELECT id FROM ${this.#batches}
           WHERE state IN ('submitted', 'canceling') AND (lease_until IS NULL OR lease_until < now())
             AND (last_polled_at IS NULL OR last_polled_at < now() - make_interval(secs => $3::double precision / 1000))
           ORDER BY last_polled_at NULLS FIRST LIMIT $4
           FOR UPDATE SKIP LOCKED)
         RETURNING id, provider, model, vendor_batch_id, state, request_count, created_at`,
        [lease.owner, lease.leaseMs, pollMs, limit],
      ),
    );
    return result.rows.map(fromBatchRow);
  }

  async releaseBatch(batchId: string, state?: 'canceling'): Promise<void> {
    await withPgErrors('batch release', () =>
      this.#pool.query(
        `UPDATE ${this.#batches} SET lease_owner = NULL, lease_until = NULL, state = coalesce($2, state) WHERE id = $1`,
        [batchId, state ?? null],
      ),
    );
  }

  async endBatch(batchId: string, state: 'ended' | 'failed', error?: string): Promise<void> {
    await withPgErrors('batch end', () =>
      this.#pool.query(
        `UPDATE ${this.#batches} SET state = $2, error = $3, ended_at = now(), lease_owner = NULL, lease_until = NULL
         WHERE id = $1`,
        [batchId, state, error?.slice(0, 2000) ?? null],
      ),
    );
  }

  async requestsOf(batchId: string): Promise<DeferredRequest[]> {
    const result = await withPgErrors('batch requests read', () =>
      this.#pool.query<RequestRow>(`SELECT ${REQUEST_COLUMNS} FROM ${this.#requests} WHERE batch_id = $1`, [
        batchId,
      ]),
    );
    return result.rows.map(fromRequestRow);
  }

  async makeDue(key: DeferredKey): Promise<void> {
    await withPgErrors('deferred call due', () =>
      this.#pool.query(
        `UPDATE ${this.#requests} SET due_by = least(due_by, now())
         WHERE task_id = $1 AND call_id = $2 AND fingerprint = $3 AND state <> 'done'`,
        [key.taskId, key.callId, key.fingerprint],
      ),
    );
  }

  async resolve(key: DeferredKey, reply: unknown, resolution: string): Promise<boolean> {
    const result = await withPgErrors('deferred call resolve', () =>
      this.#pool.query(
        `UPDATE ${this.#requests} SET state = 'done', reply = $4, resolution = $5, resolved_at = now(),
           fallback_until = NULL
         WHERE task_id = $1 AND call_id = $2 AND fingerprint = $3 AND state <> 'done'`,
        [key.taskId, key.callId, key.fingerprint, JSON.stringify(reply), resolution.slice(0, 200)],
      ),
    );
    return (result.rowCount ?? 0) > 0;
  }

  async claimOverdue(lease: Lease, limit: number): Promise<DeferredRequest[]> {
    const result = await withPgErrors('deferred calls claim overdue', () =>
      this.#pool.query<RequestRow>(
        `UPDATE ${this.#requests} SET fallback_claims = fallback_claims + 1,
           fallback_until = now() + make_interval(secs => $1::double precision / 1000)
         WHERE (task_id, call_id, fingerprint) IN (
           SELECT task_id, call_id, fingerprint FROM ${this.#requests}
           WHERE state <> 'done' AND due_by < now() AND (fallback_until IS NULL OR fallback_until < now())
           ORDER BY due_by LIMIT $2
           FOR UPDATE SKIP LOCKED)
         RETURNING ${REQUEST_COLUMNS}`,
        [lease.leaseMs, limit],
      ),
    );
    return result.rows.map(fromRequestRow);
  }

  async now(): Promise<Date> {
    const result = await withPgErrors('database clock', () =>
      this.#pool.query<{ now: Date }>('SELECT clock_timestamp() AS now'),
    );
    return result.rows[0]!.now;
  }
}
