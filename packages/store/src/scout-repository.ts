import type pg from 'pg';
import { withPgErrors } from './pg-errors.js';
import { qualified } from './schema-name.js';

/** A feed as config lists it: what to fetch and how it is tagged. */
export interface FeedListing {
  id: string;
  url: string;
  tags: string[];
}

/** A feed with what its fetches have learnt (migration 0010, `scout_feeds`). */
export interface FeedState extends FeedListing {
  title: string | null;
  etag: string | null;
  lastModified: string | null;
  lastFetchedAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  lastOkAt: string | null;
  consecutiveFailures: number;
  itemsTotal: number;
}

/** The outcome of one fetch of one feed. */
export interface FetchRecord {
  /** The HTTP status (304 included), or null when no answer came. */
  status: number | null;
  ok: boolean;
  /** Validators of a 200 answer; kept as they were on a 304 or a failure. */
  etag?: string | null;
  lastModified?: string | null;
  title?: string | null;
  error?: string;
  newItems: number;
}

/** An item to store, normalised by the scout. */
export interface NewScoutItem {
  hash: string;
  title: string | null;
  link: string | null;
  guid: string | null;
  summary: string | null;
  author: string | null;
  categories: string[];
  published: string | null;
}

/** A stored item with its score (null fields until it is scored). */
export interface ScoutItem extends NewScoutItem {
  feedId: string;
  firstSeenAt: string;
  relevance: number | null;
  topics: string[] | null;
  why: string | null;
  confidence: number | null;
  scoreModel: string | null;
  scoredAt: string | null;
  surfacedAt: string | null;
}

/** One item's score as scoring stores it. */
export interface ItemScore {
  hash: string;
  relevance: number;
  topics: string[];
  why: string | null;
  confidence: number;
  model: string;
}

export interface RecentItemsQuery {
  /** Items of feeds carrying any of these tags; all feeds when absent or empty. */
  tags?: string[];
  feedIds?: string[];
  /** First seen at or after this instant. */
  since: string;
  /** Only items scored at or above this relevance. */
  minRelevance?: number;
  limit: number;
}

/**
 * The scout's Postgres state. Items are stored once per content hash, whichever feed brings them
 * first, so de-duplication holds across feeds and runs. Every statement names its schema.
 */
export interface ScoutRepository {
  /** Upserts the configured feeds; a feed whose URL changed loses its validators. */
  syncFeeds(feeds: FeedListing[]): Promise<void>;
  listFeeds(): Promise<FeedState[]>;
  /** Records a fetch: status, validators, failures in a row (reset by success). */
  recordFetch(feedId: string, fetch: FetchRecord): Promise<void>;
  /** Inserts the items not stored yet (by hash); returns the hashes that were new, in input order. */
  insertNew(feedId: string, items: NewScoutItem[]): Promise<string[]>;
  /** Of `hashes`, those already stored. */
  knownHashes(hashes: string[]): Promise<Set<string>>;
  /**
   * Claims up to `limit` unscored items, oldest first, for `claimMs` (so a concurrent run takes
   * others), counting an attempt on each; items with `maxAttempts` attempts are left alone.
   */
  claimUnscored(opts: { limit: number; claimMs: number; maxAttempts: number }): Promise<ScoutItem[]>;
  /** Stores scores (and the scoring task) and releases the claims. */
  recordScores(scores: ItemScore[], taskId: string): Promise<void>;
  /**
   * Releases claims after a failed scoring call, keeping the error for a person to see. With
   * `retryAfterMs` the items stay out of reach that long (so the run that failed on them does not
   * take them again at once); 0 frees them now (a retried task takes them back).
   */
  releaseClaims(hashes: string[], error: string, retryAfterMs?: number): Promise<void>;
  /** Scored at or over `threshold` and not surfaced yet, oldest first (a crashed run's leftovers too). */
  unsurfaced(threshold: number, limit: number): Promise<ScoutItem[]>;
  /** Marks items surfaced; returns the hashes it marked (those not marked before). */
  markSurfaced(hashes: string[]): Promise<string[]>;
  recentItems(query: RecentItemsQuery): Promise<ScoutItem[]>;
  /** Unscored items that can still be claimed (for a run's report). */
  countUnscored(maxAttempts: number): Promise<number>;
}

interface FeedRow {
  id: string;
  url: string;
  tags: string[];
  title: string | null;
  etag: string | null;
  last_modified: string | null;
  last_fetched_at: Date | null;
  last_status: number | null;
  last_error: string | null;
  last_ok_at: Date | null;
  consecutive_failures: number;
  items_total: number;
}

interface ItemRow {
  hash: string;
  feed_id: string;
  title: string | null;
  link: string | null;
  guid: string | null;
  summary: string | null;
  author: string | null;
  categories: string[];
  published: Date | null;
  first_seen_at: Date;
  relevance: number | null;
  topics: string[] | null;
  why: string | null;
  confidence: number | null;
  score_model: string | null;
  scored_at: Date | null;
  surfaced_at: Date | null;
}

const ITEM_COLUMNS =
  'hash, feed_id, title, link, guid, summary, author, categories, published, first_seen_at, relevance, ' +
  'topics, why, confidence, score_model, scored_at, surfaced_at';

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** ScoutRepository over one brain's `scout_feeds` and `scout_items`. */
export class PgScoutRepository implements ScoutRepository {
  readonly #pool: pg.Pool;
  readonly #feeds: string;
  readonly #items: string;

  constructor(pool: pg.Pool, schema: string) {
    this.#pool = pool;
    this.#feeds = qualified(schema, 'scout_feeds');
    this.#items = qualified(schema, 'scout_items');
  }

  async syncFeeds(feeds: FeedListing[]): Promise<void> {
    if (feeds.length === 0) return;
    await this.#query(
      `INSERT INTO ${this.#feeds} (id, url, tags)
       SELECT id, url, tags FROM jsonb_to_recordset($1::jsonb) AS x(id text, url text, tags text[])
       ON CONFLICT (id) DO UPDATE SET
         tags = EXCLUDED.tags,
         url = EXCLUDED.url,
         etag = CASE WHEN ${this.#feeds}.url = EXCLUDED.url THEN ${this.#feeds}.etag END,
         last_modified = CASE WHEN ${this.#feeds}.url = EXCLUDED.url THEN ${this.#feeds}.last_modified END,
         updated_at = now()`,
      [JSON.stringify(feeds)],
    );
  }

  async listFeeds(): Promise<FeedState[]> {
    const result = await this.#query<FeedRow>(`SELECT * FROM ${this.#feeds} ORDER BY id`);
    return result.rows.map((row) => ({
      id: row.id,
      url: row.url,
      tags: row.tags,
      title: row.title,
      etag: row.etag,
      lastModified: row.last_modified,
      lastFetchedAt: iso(row.last_fetched_at),
      lastStatus: row.last_status,
      lastError: row.last_error,
      lastOkAt: iso(row.last_ok_at),
      consecutiveFailures: row.consecutive_failures,
      itemsTotal: row.items_total,
    }));
  }

  async recordFetch(feedId: string, fetch: FetchRecord): Promise<void> {
    // On a 200 the validators are replaced (an answer without them clears them); otherwise kept.
    const fresh = fetch.ok && fetch.status === 200;
    await this.#query(
      `UPDATE ${this.#feeds} SET
         last_fetched_at = now(),
         last_status = $2,
         last_error = $3,
         last_ok_at = CASE WHEN $4 THEN now() ELSE last_ok_at END,
         consecutive_failures = CASE WHEN $4 THEN 0 ELSE consecutive_failures + 1 END,
         etag = CASE WHEN $5 THEN $6 ELSE etag END,
         last_modified = CASE WHEN $5 THEN $7 ELSE last_modified END,
         title = COALESCE($8, title),
         items_total = items_total + $9,
         updated_at = now()
       WHERE id = $1`,
      [
        feedId,
        fetch.status,
        fetch.error ?? null,
        fetch.ok,
        fresh,
        fetch.etag ?? null,
        fetch.lastModified ?? null,
        fetch.title ?? null,
        fetch.newItems,
      ],
    );
  }

  async insertNew(feedId: string, items: NewScoutItem[]): Promise<string[]> {
    if (items.length === 0) return [];
    const result = await this.#query<{ hash: string }>(
      `INSERT INTO ${this.#items} (hash, feed_id, title, link, guid, summary, author, categories, published)
       SELECT hash, $2, title, link, guid, summary, author, categories, published
       FROM jsonb_to_recordset($1::jsonb) AS x(hash text, title text, link text, guid text, summary text,
         author text, categories text[], published timestamptz)
       ON CONFLICT (hash) DO NOTHING
       RETURNING hash`,
      [JSON.stringify(items), feedId],
    );
    const inserted = new Set(result.rows.map((r) => r.hash));
    return items.map((i) => i.hash).filter((h) => inserted.has(h));
  }

  async knownHashes(hashes: string[]): Promise<Set<string>> {
    if (hashes.length === 0) return new Set();
    const result = await this.#query<{ hash: string }>(
      `SELECT hash FROM ${this.#items} WHERE hash = ANY($1::text[])`,
      [hashes],
    );
    return new Set(result.rows.map((r) => r.hash));
  }

  async claimUnscored(opts: { limit: number; claimMs: number; maxAttempts: number }): Promise<ScoutItem[]> {
    const result = await this.#query<ItemRow>(
      `UPDATE ${this.#items} SET
         score_claimed_until = now() + make_interval(secs => $2::double precision / 1000),
         score_attempts = score_attempts + 1
       WHERE hash IN (
         SELECT hash FROM ${this.#items}
         WHERE scored_at IS NULL AND score_attempts < $3
           AND (score_claimed_until IS NULL OR score_claimed_until < now())
         ORDER BY first_seen_at, hash
         LIMIT $1
         FOR UPDATE SKIP LOCKED)
       RETURNING ${ITEM_COLUMNS}`,
      [opts.limit, opts.claimMs, opts.maxAttempts],
    );
    return result.rows.map(toItem).sort((a, b) => a.firstSeenAt.localeCompare(b.firstSeenAt));
  }

  async recordScores(scores: ItemScore[], taskId: string): Promise<void> {
    if (scores.length === 0) return;
    await this.#query(
      `UPDATE ${this.#items} AS i SET
         relevance = s.relevance, topics = s.topics, why = s.why, confidence = s.confidence,
         score_model = s.model, score_task_id = $2, scored_at = now(),
         score_claimed_until = NULL, score_error = NULL
       FROM jsonb_to_recordset($1::jsonb) AS s(hash text, relevance double precision, topics text[], why text,
         confidence double precision, model text)
       WHERE i.hash = s.hash`,
      [JSON.stringify(scores), taskId],
    );
  }

  async releaseClaims(hashes: string[], error: string, retryAfterMs = 0): Promise<void> {
    if (hashes.length === 0) return;
    await this.#query(
      `UPDATE ${this.#items} SET score_error = $2,
         score_claimed_until = CASE WHEN $3::double precision > 0
           THEN now() + make_interval(secs => $3::double precision / 1000) END
       WHERE hash = ANY($1::text[]) AND scored_at IS NULL`,
      [hashes, error.slice(0, 2000), retryAfterMs],
    );
  }

  async unsurfaced(threshold: number, limit: number): Promise<ScoutItem[]> {
    const result = await this.#query<ItemRow>(
      `SELECT ${ITEM_COLUMNS} FROM ${this.#items}
       WHERE surfaced_at IS NULL AND scored_at IS NOT NULL AND relevance >= $1
       ORDER BY scored_at, first_seen_at, hash LIMIT $2`,
      [threshold, limit],
    );
    return result.rows.map(toItem);
  }

  async markSurfaced(hashes: string[]): Promise<string[]> {
    if (hashes.length === 0) return [];
    const result = await this.#query<{ hash: string }>(
      `UPDATE ${this.#items} SET surfaced_at = now()
       WHERE hash = ANY($1::text[]) AND surfaced_at IS NULL RETURNING hash`,
      [hashes],
    );
    return result.rows.map((r) => r.hash);
  }

  async recentItems(query: RecentItemsQuery): Promise<ScoutItem[]> {
    const tags = query.tags ?? [];
    const feedIds = query.feedIds ?? [];
    const result = await this.#query<ItemRow>(
      `SELECT ${ITEM_COLUMNS.split(', ')
        .map((c) => `i.${c}`)
        .join(', ')}
       FROM ${this.#items} i JOIN ${this.#feeds} f ON f.id = i.feed_id
       WHERE i.first_seen_at >= $1
         AND (cardinality($2::text[]) = 0 OR f.tags && $2::text[])
         AND (cardinality($3::text[]) = 0 OR f.id = ANY($3::text[]))
         AND ($4::double precision IS NULL OR i.relevance >= $4::double precision)
       ORDER BY i.first_seen_at DESC, i.hash
       LIMIT $5`,
      [query.since, tags, feedIds, query.minRelevance ?? null, query.limit],
    );
    return result.rows.map(toItem);
  }

  async countUnscored(maxAttempts: number): Promise<number> {
    const result = await this.#query<{ n: string }>(
      `SELECT count(*) AS n FROM ${this.#items} WHERE scored_at IS NULL AND score_attempts < $1`,
      [maxAttempts],
    );
    return Number(result.rows[0]?.n ?? 0);
  }

  #query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    return withPgErrors('scout repository', () => this.#pool.query<R>(text, values));
  }
}

function toItem(row: ItemRow): ScoutItem {
  return {
    hash: row.hash,
    feedId: row.feed_id,
    title: row.title,
    link: row.link,
    guid: row.guid,
    summary: row.summary,
    author: row.author,
    categories: row.categories,
    published: iso(row.published),
    firstSeenAt: row.first_seen_at.toISOString(),
    relevance: row.relevance,
    topics: row.topics,
    why: row.why,
    confidence: row.confidence,
    scoreModel: row.score_model,
    scoredAt: iso(row.scored_at),
    surfacedAt: iso(row.surfaced_at),
  };
}
