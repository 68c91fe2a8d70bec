import type { TaskState, Tier } from '@forge/contracts';
import type pg from 'pg';
import { withPgErrors } from './pg-errors.js';
import { qualified } from './schema-name.js';

/** One task as the operator's overview shows it: its record, its routing, its ledger rows summed. */
export interface TaskOverview {
  readonly id: string;
  readonly skill: string;
  readonly agent: string;
  readonly state: TaskState;
  /** The router's tier, or null when the task was never routed (direct hand-offs). */
  readonly tier: Tier | null;
  /** The model that answered last (the ledger), else the one the router stamped; null for `tool`. */
  readonly model: string | null;
  /** Sum of the task's ledger rows, integer micro-USD. */
  readonly costMicros: number;
  /** Offline rows' list price: reported apart, never spend. */
  readonly shadowMicros: number;
  /** Ledger rows (model call attempts). */
  readonly calls: number;
  readonly escalated: boolean;
  readonly origin: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A routing decision as the routing page lists it. */
export interface DecisionOverview {
  readonly taskId: string;
  readonly skill: string;
  readonly tier: Tier;
  readonly model: string | null;
  /** The tier the skill's manifest asks for (the registry), null when unknown. */
  readonly tierHint: Tier | null;
  readonly critical: boolean;
  readonly status: 'routed' | 'queued' | 'rejected';
  readonly reasons: string[];
  readonly policyVersion: string;
  readonly decidedAt: string;
}

/** A model call that escalated or fell back, from the ledger. */
export interface EscalationOverview {
  readonly taskId: string;
  readonly skill: string | null;
  readonly tier: Tier;
  readonly model: string;
  readonly escalated: boolean;
  readonly fellBack: boolean;
  readonly reason: string | null;
  readonly at: string;
}

const micros = (value: string | number | null) => (value === null ? 0 : Number(value));
const iso = (value: Date) => value.toISOString();

/**
 * Read-only views over the brain's tasks, routing decisions and cost ledger for the operator (the
 * console's tasks and routing pages, `forge tasks`). Every number is summed from the rows here,
 * never copied elsewhere.
 */
export class PgOperatorViews {
  readonly #pool: pg.Pool;
  readonly #tasks: string;
  readonly #decisions: string;
  readonly #ledger: string;
  readonly #skills: string;

  constructor(pool: pg.Pool, schema: string) {
    this.#pool = pool;
    this.#tasks = qualified(schema, 'tasks');
    this.#decisions = qualified(schema, 'routing_decisions');
    this.#ledger = qualified(schema, 'cost_ledger');
    this.#skills = qualified(schema, 'skills');
  }

  /** The newest tasks first (at most `limit`), optionally only those still open. */
  async recentTasks(query: { limit: number; open?: boolean; skill?: string }): Promise<TaskOverview[]> {
    const result = await withPgErrors('task overview', () =>
      this.#pool.query<{
        id: string;
        skill: string;
        agent: string;
        state: TaskState;
        tier: Tier | null;
        model: string | null;
        cost: string | null;
        shadow: string | null;
        calls: number | null;
        escalated: boolean | null;
        origin: { kind?: string; by?: string; partner?: string };
        created_at: Date;
        updated_at: Date;
      }>(
        `SELECT t.id, t.skill, t.agent, t.state, t.origin, t.created_at, t.updated_at,
                COALESCE(r.tier, t.routing->>'tier') AS tier,
                COALESCE(l.model, r.model, t.routing->>'model') AS model,
                l.cost, l.shadow, l.calls, l.escalated
           FROM ${this.#tasks} t
           LEFT JOIN ${this.#decisions} r ON r.task_id = t.id
           LEFT JOIN LATERAL (
             SELECT SUM(cost_micros)::text AS cost, SUM(shadow_cost_micros)::text AS shadow,
                    COUNT(*)::int AS calls, BOOL_OR(escalated) AS escalated,
                    (ARRAY_AGG(model ORDER BY attempt DESC, call_id DESC, seq DESC))[1] AS model
               FROM ${this.#ledger} WHERE task_id = t.id
           ) l ON true
          WHERE ($2::boolean IS NOT TRUE OR t.state IN ('submitted', 'working', 'input-required', 'auth-required'))
            AND ($3::text IS NULL OR t.skill = $3)
          ORDER BY t.created_at DESC, t.id DESC
          LIMIT $1`,
        [query.limit, query.open ?? false, query.skill ?? null],
      ),
    );
    return result.rows.map((row) => ({
      id: row.id,
      skill: row.skill,
      agent: row.agent,
      state: row.state,
      tier: row.tier,
      model: row.model,
      costMicros: micros(row.cost),
      shadowMicros: micros(row.shadow),
      calls: row.calls ?? 0,
      escalated: row.escalated ?? false,
      origin: row.origin.partner
        ? `partner ${row.origin.partner}`
        : `${row.origin.kind ?? '?'}${row.origin.by ? ` by ${row.origin.by}` : ''}`,
      createdAt: iso(row.created_at),
      updatedAt: iso(row.updated_at),
    }));
  }

  /** The newest routing decisions first, with the tier each skill's manifest asks for. */
  async recentDecisions(limit: number): Promise<DecisionOverview[]> {
    const result = await withPgErrors('decision overview', () =>
      this.#pool.query<{
        task_id: string;
        skill: string;
        tier: Tier;
        model: string | null;
        tier_hint: Tier | null;
        critical: boolean;
        status: DecisionOverview['status'];
        reasons: string[];
        policy_version: string;
        decided_at: Date;
      }>(
        `SELECT d.task_id, d.skill, d.tier, d.model, s.tier_hint, d.critical,
                d.status, d.reasons, d.policy_version, d.decided_at
           FROM ${this.#decisions} d LEFT JOIN ${this.#skills} s ON s.skill = d.skill
          ORDER BY d.decided_at DESC, d.task_id DESC LIMIT $1`,
        [limit],
      ),
    );
    return result.rows.map((row) => ({
      taskId: row.task_id,
      skill: row.skill,
      tier: row.tier,
      model: row.model,
      tierHint: row.tier_hint,
      critical: row.critical,
      status: row.status,
      reasons: row.reasons,
      policyVersion: row.policy_version,
      decidedAt: iso(row.decided_at),
    }));
  }

  /** The newest ledger rows that escalated a tier or fell back to another provider. */
  async recentEscalations(limit: number): Promise<EscalationOverview[]> {
    const result = await withPgErrors('escalation overview', () =>
      this.#pool.query<{
        task_id: string;
        skill: string | null;
        tier: Tier;
        model: string;
        escalated: boolean;
        fell_back: boolean;
        reason: string | null;
        created_at: Date;
      }>(
        `SELECT task_id, skill, tier, model, escalated, fell_back, reason, created_at
           FROM ${this.#ledger} WHERE escalated OR fell_back
          ORDER BY created_at DESC LIMIT $1`,
        [limit],
      ),
    );
    return result.rows.map((row) => ({
      taskId: row.task_id,
      skill: row.skill,
      tier: row.tier,
      model: row.model,
      escalated: row.escalated,
      fellBack: row.fell_back,
      reason: row.reason,
      at: iso(row.created_at),
    }));
  }
}
