import { ForgeError, parseOrThrow } from '@forge/contracts';
import type pg from 'pg';
import { z } from 'zod';
import { withPgErrors } from './pg-errors.js';
import { qualified } from './schema-name.js';

export const Observation = z.object({
  /** The event's id: the same event observed twice is stored once. */
  id: z.uuid(),
  agent: z.string().min(1).max(60),
  kind: z.string().min(1).max(64),
  taskId: z.uuid().nullable().default(null),
  at: z.iso.datetime({ offset: true }),
  text: z.string().min(1).max(4000),
  tags: z.array(z.string().min(1).max(60)).max(20).default([]),
  data: z.record(z.string(), z.unknown()).default({}),
});
export type Observation = z.output<typeof Observation>;

export interface DiaryEntry {
  id: string;
  kind: 'nightly' | 'weekly';
  periodStart: string;
  periodEnd: string;
  body: string;
  observations: number;
  model: string;
  taskId: string | null;
  createdAt: string;
}

export interface Lesson {
  id: string;
  entryId: string;
  title: string;
  lesson: string;
  evidence: string[];
  confidence: number;
  createdAt: string;
  /** Full-text rank against the recall query (0 when listed without one). */
  rank: number;
}

interface EntryRow {
  id: string;
  kind: 'nightly' | 'weekly';
  period_start: string;
  period_end: string;
  body: string;
  observations: number;
  model: string;
  task_id: string | null;
  created_at: Date;
}

function entryOf(row: EntryRow): DiaryEntry {
  return {
    id: row.id,
    kind: row.kind,
    periodStart: row.period_start,
    periodEnd: row.period_end,
    body: row.body,
    observations: row.observations,
    model: row.model,
    taskId: row.task_id,
    createdAt: row.created_at.toISOString(),
  };
}

/**
 * The diary's memory in one brain's schema: observations (agents' notable events), entries
 * (nightly and weekly) and the durable lessons of weekly syntheses, searchable with Postgres
 * full-text search (`english` configuration, ranked by ts_rank).
 */
export class PgDiaryRepository {
  readonly #pool: pg.Pool;
  readonly #observations: string;
  readonly #entries: string;
  readonly #lessons: string;

  constructor(pool: pg.Pool, schema: string) {
    this.#pool = pool;
    this.#observations = qualified(schema, 'observations');
    this.#entries = qualified(schema, 'diary_entries');
    this.#lessons = qualified(schema, 'lessons');
  }

  /** Stores an observation once per id; returns whether it was new. */
  async observe(raw: z.input<typeof Observation>): Promise<boolean> {
    const o = parseOrThrow(Observation, raw, 'observation');
    const result = await withPgErrors('observation insert', () =>
      this.#pool.query(
        `INSERT INTO ${this.#observations} (id, agent, kind, task_id, at, text, tags, data)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb) ON CONFLICT (id) DO NOTHING`,
        [o.id, o.agent, o.kind, o.taskId, o.at, o.text, o.tags, JSON.stringify(o.data)],
      ),
    );
    return (result.rowCount ?? 0) > 0;
  }

  /** Observations with `at` in [from, to), oldest first; optionally of one agent and kinds. */
  async observations(q: {
    from: string;
    to: string;
    agent?: string;
    kinds?: string[];
    tag?: string;
    limit?: number;
  }): Promise<Observation[]> {
    const result = await withPgErrors('observation read', () =>
      this.#pool.query<{
        id: string;
        agent: string;
        kind: string;
        task_id: string | null;
        at: Date;
        text: string;
        tags: string[];
        data: Record<string, unknown>;
      }>(
        `SELECT id, agent, kind, task_id, at, text, tags, data FROM ${this.#observations}
          WHERE at >= $1 AND at < $2 AND ($3::text IS NULL OR agent = $3)
            AND ($4::text[] IS NULL OR kind = ANY($4)) AND ($5::text IS NULL OR $5 = ANY(tags))
          ORDER BY at, id LIMIT $6`,
        [q.from, q.to, q.agent ?? null, q.kinds ?? null, q.tag ?? null, q.limit ?? 500],
      ),
    );
    return result.rows.map((r) => ({
      id: r.id,
      agent: r.agent,
      kind: r.kind,
      taskId: r.task_id,
      at: r.at.toISOString(),
      text: r.text,
      tags: r.tags,
      data: r.data,
    }));
  }

  /**
   * Stores the entry of a period once: a second save for the same kind and period start returns
   * the first (a redelivered nightly task does not write a second entry).
   */
  async saveEntry(entry: Omit<DiaryEntry, 'createdAt'>): Promise<{ entry: DiaryEntry; created: boolean }> {
    const inserted = await withPgErrors('diary entry insert', () =>
      this.#pool.query<EntryRow>(
        `INSERT INTO ${this.#entries} (id, kind, period_start, period_end, body, observations, model, task_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (kind, period_start) DO NOTHING
         RETURNING id, kind, period_start::text, period_end::text, body, observations, model, task_id, created_at`,
        [
          entry.id,
          entry.kind,
          entry.periodStart,
          entry.periodEnd,
          entry.body,
          entry.observations,
          entry.model,
          entry.taskId,
        ],
      ),
    );
    if (inserted.rows[0]) return { entry: entryOf(inserted.rows[0]), created: true };
    const existing = await this.entry(entry.kind, entry.periodStart);
    if (!existing) throw new ForgeError('CONFLICT', `diary entry ${entry.kind} ${entry.periodStart} changed`);
    return { entry: existing, created: false };
  }

  async entry(kind: 'nightly' | 'weekly', periodStart: string): Promise<DiaryEntry | null> {
    const result = await withPgErrors('diary entry read', () =>
      this.#pool.query<EntryRow>(
        `SELECT id, kind, period_start::text, period_end::text, body, observations, model, task_id, created_at
           FROM ${this.#entries} WHERE kind = $1 AND period_start = $2`,
        [kind, periodStart],
      ),
    );
    return result.rows[0] ? entryOf(result.rows[0]) : null;
  }

  /** Entries of a kind whose period starts in [from, to), oldest first. */
  async entries(kind: 'nightly' | 'weekly', from: string, to: string): Promise<DiaryEntry[]> {
    const result = await withPgErrors('diary entry read', () =>
      this.#pool.query<EntryRow>(
        `SELECT id, kind, period_start::text, period_end::text, body, observations, model, task_id, created_at
           FROM ${this.#entries} WHERE kind = $1 AND period_start >= $2 AND period_start < $3 ORDER BY period_start`,
        [kind, from, to],
      ),
    );
    return result.rows.map(entryOf);
  }

  /** Stores a synthesis's lessons (replacing any the entry had: one set per entry). */
  async saveLessons(
    entryId: string,
    lessons: { id: string; title: string; lesson: string; evidence: string[]; confidence: number }[],
  ): Promise<void> {
    await withPgErrors('lesson insert', async () => {
      const client = await this.#pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(`DELETE FROM ${this.#lessons} WHERE entry_id = $1`, [entryId]);
        for (const l of lessons) {
          await client.query(
            `INSERT INTO ${this.#lessons} (id, entry_id, title, lesson, evidence, confidence)
             VALUES ($1, $2, $3, $4, $5, $6)`,
            [l.id, entryId, l.title, l.lesson, l.evidence, l.confidence],
          );
        }
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    });
  }

  /**
   * Lessons relevant to `query` (Postgres full-text search, `websearch_to_tsquery`, any word may
   * match), best first; with an empty query, the newest. Ties go to the newer lesson.
   */
  async recall(query: string, limit: number): Promise<Lesson[]> {
    const words = query
      .toLowerCase()
      .match(/[\p{L}\p{N}]{3,}/gu)
      ?.slice(0, 30);
    const tsquery = words?.length ? words.join(' OR ') : null;
    const result = await withPgErrors('lesson recall', () =>
      this.#pool.query<{
        id: string;
        entry_id: string;
        title: string;
        lesson: string;
        evidence: string[];
        confidence: number;
        created_at: Date;
        rank: number;
      }>(
        tsquery
          ? `SELECT id, entry_id, title, lesson, evidence, confidence, created_at,
                    ts_rank(search, websearch_to_tsquery('english', $1)) AS rank
               FROM ${this.#lessons} WHERE search @@ websearch_to_tsquery('english', $1)
              ORDER BY rank DESC, created_at DESC LIMIT $2`
          : `SELECT id, entry_id, title, lesson, evidence, confidence, created_at, 0::real AS rank
               FROM ${this.#lessons} ORDER BY created_at DESC LIMIT $1`,
        tsquery ? [tsquery, limit] : [limit],
      ),
    );
    return result.rows.map((r) => ({
      id: r.id,
      entryId: r.entry_id,
      title: r.title,
      lesson: r.lesson,
      evidence: r.evidence,
      confidence: Number(r.confidence),
      createdAt: r.created_at.toISOString(),
      rank: Number(r.rank),
    }));
  }
}
