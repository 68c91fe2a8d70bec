import { parseOrThrow, SkillManifest, SkillRef } from '@forge/contracts';
import type pg from 'pg';
import { z } from 'zod';
import { withPgErrors } from './pg-errors.js';
import { qualified } from './schema-name.js';

/** Where agents declare their skills when they start, so the router knows every skill's manifest. */
export interface SkillRegistry {
  /** Upserts every manifest in one statement; a skill listed twice keeps its last manifest. */
  register(manifests: SkillManifest[]): Promise<void>;
  /** null when no agent has registered the skill. BAD_INPUT for a malformed SkillRef. */
  get(skill: SkillRef): Promise<SkillManifest | null>;
  /** Every registered skill, ordered by skill ref. */
  list(): Promise<SkillManifest[]>;
}

interface SkillRow {
  skill: string;
  agent: string;
  description: string;
  tier_hint: SkillManifest['tierHint'];
  critical: boolean;
  input_schema: Record<string, unknown>;
  output_schema: Record<string, unknown>;
}

const COLUMNS = 'skill, agent, description, tier_hint, critical, input_schema, output_schema';

/** SkillRegistry over the `skills` table of one brain's schema. */
export class PgSkillRegistry implements SkillRegistry {
  readonly #pool: pg.Pool;
  readonly #skills: string;

  constructor(pool: pg.Pool, schema: string) {
    this.#pool = pool;
    this.#skills = qualified(schema, 'skills');
  }

  async register(manifests: SkillManifest[]): Promise<void> {
    const parsed = parseOrThrow(z.array(SkillManifest), manifests, 'skill manifests', 'manifests');
    if (parsed.length === 0) return;
    // One row per skill: ON CONFLICT cannot touch the same row twice in one statement.
    const bySkill = new Map(parsed.map((m) => [m.skill, m]));
    const rows = [...bySkill.values()].map((m) => ({
      skill: m.skill,
      agent: m.agent,
      description: m.description,
      tier_hint: m.tierHint,
      critical: m.critical,
      input_schema: m.inputSchema,
      output_schema: m.outputSchema,
    }));
    await this.#query(
      `INSERT INTO ${this.#skills} (${COLUMNS})
       SELECT ${COLUMNS} FROM jsonb_to_recordset($1::jsonb) AS x(skill text, agent text, description text,
         tier_hint text, critical boolean, input_schema jsonb, output_schema jsonb)
       ON CONFLICT (skill) DO UPDATE SET agent = EXCLUDED.agent, description = EXCLUDED.description,
         tier_hint = EXCLUDED.tier_hint, critical = EXCLUDED.critical, input_schema = EXCLUDED.input_schema,
         output_schema = EXCLUDED.output_schema, updated_at = now()`,
      [JSON.stringify(rows)],
    );
  }

  async get(skill: SkillRef): Promise<SkillManifest | null> {
    const ref = parseOrThrow(SkillRef, skill, 'skill ref', 'skill');
    const result = await this.#query<SkillRow>(`SELECT ${COLUMNS} FROM ${this.#skills} WHERE skill = $1`, [
      ref,
    ]);
    const row = result.rows[0];
    return row ? toManifest(row) : null;
  }

  async list(): Promise<SkillManifest[]> {
    const result = await this.#query<SkillRow>(`SELECT ${COLUMNS} FROM ${this.#skills} ORDER BY skill`);
    return result.rows.map(toManifest);
  }

  #query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    return withPgErrors('skill registry', () => this.#pool.query<R>(text, values));
  }
}

function toManifest(row: SkillRow): SkillManifest {
  return {
    skill: row.skill,
    agent: row.agent,
    description: row.description,
    tierHint: row.tier_hint,
    critical: row.critical,
    inputSchema: row.input_schema,
    outputSchema: row.output_schema,
  };
}
