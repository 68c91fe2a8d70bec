import { ForgeError, parseOrThrow } from '@forge/contracts';
import type pg from 'pg';
import { z } from 'zod';
import { withPgErrors } from './pg-errors.js';
import { qualified } from './schema-name.js';

export const PublicationStatus = z.enum(['scheduled', 'publishing', 'published', 'failed']);
export type PublicationStatus = z.infer<typeof PublicationStatus>;

/** An image card to post with the text: the PNG's hash and size, and its bytes as base64. */
export const PublicationCard = z.object({
  sha256: z.string().length(64),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  pngBase64: z.string().min(1),
  altText: z.string().max(1500),
});
export type PublicationCard = z.infer<typeof PublicationCard>;

export const NewPublication = z.object({
  id: z.uuid(),
  /** One publication per approval: the key that makes a redelivery or a restart post once. */
  approvalId: z.uuid(),
  channel: z.string().min(1).max(40),
  target: z.enum(['outbox', 'webhook', 'mastodon']),
  body: z.string().min(1).max(100_000),
  card: PublicationCard.nullable().default(null),
  idempotencyKey: z.string().min(16).max(200),
  dueAt: z.iso.datetime({ offset: true }),
});
export type NewPublication = z.input<typeof NewPublication>;

export interface Publication {
  id: string;
  approvalId: string;
  channel: string;
  target: 'outbox' | 'webhook' | 'mastodon';
  body: string;
  card: PublicationCard | null;
  idempotencyKey: string;
  dueAt: string;
  status: PublicationStatus;
  attempts: number;
  externalId: string | null;
  url: string | null;
  publishedAt: string | null;
  lastError: string | null;
  createdAt: string;
}

export interface OutboxPost {
  idempotencyKey: string;
  publicationId: string;
  channel: string;
  body: string;
  card: PublicationCard | null;
  postedAt: string;
}

interface Row {
  id: string;
  approval_id: string;
  channel: string;
  target: Publication['target'];
  body: string;
  card: PublicationCard | null;
  idempotency_key: string;
  due_at: Date;
  status: PublicationStatus;
  attempts: number;
  external_id: string | null;
  url: string | null;
  published_at: Date | null;
  last_error: string | null;
  created_at: Date;
}

const COLUMNS = `id, approval_id, channel, target, body, card, idempotency_key, due_at, status, attempts,
  external_id, url, published_at, last_error, created_at`;

function fromRow(row: Row): Publication {
  return {
    id: row.id,
    approvalId: row.approval_id,
    channel: row.channel,
    target: row.target,
    body: row.body,
    card: row.card,
    idempotencyKey: row.idempotency_key,
    dueAt: row.due_at.toISOString(),
    status: row.status,
    attempts: row.attempts,
    externalId: row.external_id,
    url: row.url,
    publishedAt: row.published_at?.toISOString() ?? null,
    lastError: row.last_error,
    createdAt: row.created_at.toISOString(),
  };
}

/**
 * The publisher's schedule (`publications`) and its default channel (`outbox_posts`).
 *
 * Exactly once: a publication is keyed by its approval (a second `schedule` returns the first);
 * `claimDue` hands a due row to one publisher at a time under a lease; the channel gets the
 * publication's idempotency key, so a publish retried after a crash between posting and
 * `markPublished` is recognised by the channel (the outbox by its primary key, Mastodon and
 * webhooks by the Idempotency-Key header) instead of posting twice.
 */
export class PgPublicationRepository {
  readonly #pool: pg.Pool;
  readonly #table: string;
  readonly #outbox: string;

  constructor(pool: pg.Pool, schema: string) {
    this.#pool = pool;
    this.#table = qualified(schema, 'publications');
    this.#outbox = qualified(schema, 'outbox_posts');
  }

  /** Schedules the post; a second call for the same approval returns the first unchanged. */
  async schedule(raw: NewPublication): Promise<{ publication: Publication; created: boolean }> {
    const p = parseOrThrow(NewPublication, raw, 'publication');
    const inserted = await withPgErrors('publication insert', () =>
      this.#pool.query<Row>(
        `INSERT INTO ${this.#table} (id, approval_id, channel, target, body, card, idempotency_key, due_at)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8::timestamptz)
         ON CONFLICT (approval_id) DO NOTHING RETURNING ${COLUMNS}`,
        [p.id, p.approvalId, p.channel, p.target, p.body, JSON.stringify(p.card), p.idempotencyKey, p.dueAt],
      ),
    );
    if (inserted.rows[0]) return { publication: fromRow(inserted.rows[0]), created: true };
    const existing = await this.byApproval(p.approvalId);
    if (!existing)
      throw new ForgeError('CONFLICT', `publication of approval ${p.approvalId} changed while stored`);
    return { publication: existing, created: false };
  }

  async get(id: string): Promise<Publication | null> {
    if (!z.uuid().safeParse(id).success) return null;
    const result = await withPgErrors('publication read', () =>
      this.#pool.query<Row>(`SELECT ${COLUMNS} FROM ${this.#table} WHERE id = $1`, [id]),
    );
    return result.rows[0] ? fromRow(result.rows[0]) : null;
  }

  async byApproval(approvalId: string): Promise<Publication | null> {
    const result = await withPgErrors('publication read', () =>
      this.#pool.query<Row>(`SELECT ${COLUMNS} FROM ${this.#table} WHERE approval_id = $1`, [approvalId]),
    );
    return result.rows[0] ? fromRow(result.rows[0]) : null;
  }

  /** Due times already taken on a channel in [from, to), for spacing new slots. */
  async booked(channel: string, from: string, to: string): Promise<string[]> {
    const result = await withPgErrors('publication slots', () =>
      this.#pool.query<{ due_at: Date }>(
        `SELECT due_at FROM ${this.#table} WHERE channel = $1 AND due_at >= $2 AND due_at < $3 AND status <> 'failed'
          ORDER BY due_at`,
        [channel, from, to],
      ),
    );
    return result.rows.map((r) => r.due_at.toISOString());
  }

  /**
   * Takes up to `limit` due publications for this publisher: scheduled ones, and publishing ones
   * whose lease ran out (their publisher died mid-publish). Each gets a lease of `leaseMs` and
   * one more attempt. SKIP LOCKED lets replicas claim side by side without waiting or doubling.
   */
  async claimDue(now: Date, leaseMs: number, limit: number): Promise<Publication[]> {
    const result = await withPgErrors('publication claim', () =>
      this.#pool.query<Row>(
        `UPDATE ${this.#table} SET status = 'publishing', attempts = attempts + 1,
           lease_until = $1::timestamptz + make_interval(secs => $2::double precision / 1000)
         WHERE id IN (
           SELECT id FROM ${this.#table}
            WHERE due_at <= $1 AND (status = 'scheduled' OR (status = 'publishing' AND lease_until < $1))
            ORDER BY due_at LIMIT $3 FOR UPDATE SKIP LOCKED)
         RETURNING ${COLUMNS}`,
        [now.toISOString(), leaseMs, limit],
      ),
    );
    return result.rows.map(fromRow).sort((a, b) => a.dueAt.localeCompare(b.dueAt));
  }

  /** Records the publish; false when the row is no longer this publisher's (already published). */
  async markPublished(id: string, result: { externalId: string; url: string | null }): Promise<boolean> {
    const updated = await withPgErrors('publication published', () =>
      this.#pool.query(
        `UPDATE ${this.#table} SET status = 'published', external_id = $2, url = $3, published_at = now(),
           lease_until = NULL, last_error = NULL
         WHERE id = $1 AND status = 'publishing'`,
        [id, result.externalId, result.url],
      ),
    );
    return (updated.rowCount ?? 0) > 0;
  }

  /** A failed attempt: back to `scheduled` at `retryAt`, or `failed` for good when retryAt is null. */
  async markFailed(id: string, error: string, retryAt: Date | null): Promise<void> {
    await withPgErrors('publication failed', () =>
      this.#pool.query(
        `UPDATE ${this.#table} SET status = $2, last_error = $3, lease_until = NULL,
           due_at = COALESCE($4::timestamptz, due_at)
         WHERE id = $1 AND status = 'publishing'`,
        [id, retryAt ? 'scheduled' : 'failed', error.slice(0, 2000), retryAt?.toISOString() ?? null],
      ),
    );
  }

  async list(q: { status?: PublicationStatus; limit?: number } = {}): Promise<Publication[]> {
    const result = await withPgErrors('publication list', () =>
      this.#pool.query<Row>(
        `SELECT ${COLUMNS} FROM ${this.#table} WHERE ($1::text IS NULL OR status = $1)
          ORDER BY due_at DESC LIMIT $2`,
        [q.status ?? null, q.limit ?? 100],
      ),
    );
    return result.rows.map(fromRow);
  }

  /** Posts to the outbox; the same key again is a no-op that returns the first post. */
  async postToOutbox(post: Omit<OutboxPost, 'postedAt'>): Promise<{ post: OutboxPost; created: boolean }> {
    const result = await withPgErrors('outbox insert', () =>
      this.#pool.query<{ posted_at: Date; inserted: boolean }>(
        `WITH ins AS (
           INSERT INTO ${this.#outbox} (idempotency_key, publication_id, channel, body, card)
           VALUES ($1, $2, $3, $4, $5::jsonb) ON CONFLICT (idempotency_key) DO NOTHING RETURNING posted_at)
         SELECT posted_at, true AS inserted FROM ins
         UNION ALL SELECT posted_at, false FROM ${this.#outbox} WHERE idempotency_key = $1 AND NOT EXISTS (SELECT 1 FROM ins)`,
        [post.idempotencyKey, post.publicationId, post.channel, post.body, JSON.stringify(post.card)],
      ),
    );
    const row = result.rows[0]!;
    return { post: { ...post, postedAt: row.posted_at.toISOString() }, created: row.inserted };
  }

  async outbox(limit = 100): Promise<OutboxPost[]> {
    const result = await withPgErrors('outbox read', () =>
      this.#pool.query<{
        idempotency_key: string;
        publication_id: string;
        channel: string;
        body: string;
        card: PublicationCard | null;
        posted_at: Date;
      }>(
        `SELECT idempotency_key, publication_id, channel, body, card, posted_at FROM ${this.#outbox}
          ORDER BY posted_at DESC LIMIT $1`,
        [limit],
      ),
    );
    return result.rows.map((r) => ({
      idempotencyKey: r.idempotency_key,
      publicationId: r.publication_id,
      channel: r.channel,
      body: r.body,
      card: r.card,
      postedAt: r.posted_at.toISOString(),
    }));
  }
}
