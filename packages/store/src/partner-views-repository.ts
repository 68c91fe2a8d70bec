import type { TaskState, Tier } from '@forge/contracts';
import type pg from 'pg';
import { withPgErrors } from './pg-errors.js';
import { qualified } from './schema-name.js';

/**
 * Which way a call to or from a partner went: `inbound` is a task a partner asked of this brain
 * (origin kind `partner`); `outbound` is a `partners.ask` task, this brain asking a partner.
 */
export type PartnerDirection = 'inbound' | 'outbound';

/** The local skill that asks partners: its tasks are this brain's record of an outbound call. */
export const PARTNER_ASK_SKILL = 'partners.ask';

/** Task counts of one partner and skill in a window, by how the tasks stand now. */
export interface PartnerSkillCalls {
  readonly partner: string;
  readonly direction: PartnerDirection;
  /** Inbound: our skill the partner asked for; outbound: the partner's skill (`<agent>.<skill>`). */
  readonly skill: string;
  readonly calls: number;
  readonly completed: number;
  readonly failed: number;
  readonly rejected: number;
  readonly canceled: number;
  /** Not ended yet: submitted, working, input-required, auth-required. */
  readonly open: number;
  /** The newest task's creation, ISO. */
  readonly lastCallAt: string;
}

/** The ledger's sums for the work one partner asked for, by our skill and tier. Money in micro-USD. */
export interface PartnerSpendRow {
  readonly partner: string;
  /** The ledger row's skill; null for rows without one. */
  readonly skill: string | null;
  readonly tier: Tier;
  /** Model calls made: ledger rows of attempts sent to a model (outcome not `refused`). */
  readonly calls: number;
  /** Ledger rows of attempts the budget refused before anything was sent (cost 0). */
  readonly refused: number;
  readonly spendMicros: number;
  /** Offline rows' list price: reported apart, never spend. */
  readonly shadowMicros: number;
}

/** A partner call that ended failed, rejected or canceled. */
export interface PartnerFailure {
  readonly taskId: string;
  readonly partner: string;
  readonly direction: PartnerDirection;
  readonly skill: string;
  readonly state: Extract<TaskState, 'failed' | 'rejected' | 'canceled'>;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The task's error message, else its status message; null when it has neither. */
  readonly message: string | null;
  readonly code: string | null;
}

/** The raw numbers of partner activity in `[since, until)`. */
export interface PartnerActivity {
  readonly since: string;
  readonly until: string;
  readonly calls: PartnerSkillCalls[];
  readonly spend: PartnerSpendRow[];
  /** Newest first (by the time the task last changed), at most the asked limit. */
  readonly failures: PartnerFailure[];
}

const OPEN_STATES = ['submitted', 'working', 'input-required', 'auth-required'];
/** A `partners.ask` target as the skill parses it (agent-kit `parsePartnerTarget`): name, then `<agent>.<skill>`. */
const TARGET = '^partner/([a-z][a-z0-9-]{0,62})/([a-z][a-z0-9-]*\\.[a-z][a-z0-9-]*)$';
/**
 * A `partners.ask` task this brain refused before anything was sent: the gateway's own FORBIDDEN
 * answers (services/gateway `askPartner`: the name is not in the federation registry;
 * `PartnerLink`: this brain may not ask that partner for that skill). Such a target names no
 * partner the call reached (it may be no partner at all), so the task is not a partner's call.
 */
const REFUSED_HERE = `(t.state = 'failed' AND t.error->>'code' = 'FORBIDDEN'
  AND (t.error->>'message' LIKE 'no partner %' OR t.error->>'message' LIKE 'this brain may not ask partner %'))`;

/**
 * Read-only views of the work this brain does for partners and asks of them, for the console's
 * partners page and `forge partners`: task counts from the task records (inbound: origin kind
 * `partner`; outbound: `partners.ask` tasks, the partner read from their `target` when it parses
 * and the gateway did not refuse it as no partner of ours), spend from the cost ledger's
 * `partner` column. Every number is summed from those rows on each call.
 *
 * Two clocks: tasks are windowed by their creation, ledger rows by their own `created_at`, which
 * is what the gateway's monthly partner budget sums (rows since the 1st, UTC). A task made before
 * the window that runs into it adds spend to this window, not calls: a partner can show spend
 * without calls at a month boundary.
 */
export class PgPartnerViews {
  readonly #pool: pg.Pool;
  readonly #tasks: string;
  readonly #ledger: string;

  constructor(pool: pg.Pool, schema: string) {
    this.#pool = pool;
    this.#tasks = qualified(schema, 'tasks');
    this.#ledger = qualified(schema, 'cost_ledger');
  }

  /**
   * Partner activity of tasks created and ledger rows written in `[since, until)` (each by its own
   * time, see the class), with the
   * newest `failureLimit` failed, rejected or canceled partner tasks of that window.
   */
  async activity(query: { since: Date; until: Date; failureLimit?: number }): Promise<PartnerActivity> {
    const window = [query.since.toISOString(), query.until.toISOString()];
    const [calls, spend, failures] = await Promise.all([
      this.#calls(window),
      this.#spend(window),
      this.#failures(window, query.failureLimit ?? 20),
    ]);
    return { since: window[0]!, until: window[1]!, calls, spend, failures };
  }

  /** The partner tasks of the window, inbound and outbound, with partner, direction and skill. */
  #partnerTasks(columns: string): string {
    return `SELECT ${columns} FROM (
        SELECT t.*, t.origin->>'partner' AS partner, 'inbound' AS direction, t.skill AS partner_skill
          FROM ${this.#tasks} t
         WHERE t.origin->>'kind' = 'partner' AND t.created_at >= $1 AND t.created_at < $2
        UNION ALL
        SELECT t.*, substring(t.input->>'target' from '${TARGET}') AS partner, 'outbound' AS direction,
               regexp_replace(t.input->>'target', '${TARGET}', '\\2') AS partner_skill
          FROM ${this.#tasks} t
         WHERE t.skill = '${PARTNER_ASK_SKILL}' AND t.input->>'target' ~ '${TARGET}'
           AND NOT ${REFUSED_HERE}
           AND t.created_at >= $1 AND t.created_at < $2
      ) p`;
  }

  async #calls(window: string[]): Promise<PartnerSkillCalls[]> {
    const result = await withPgErrors('partner calls', () =>
      this.#pool.query<{
        partner: string;
        direction: PartnerDirection;
        skill: string;
        calls: number;
        completed: number;
        failed: number;
        rejected: number;
        canceled: number;
        open: number;
        last_call_at: Date;
      }>(
        `${this.#partnerTasks(`p.partner, p.direction, p.partner_skill AS skill,
                 COUNT(*)::int AS calls,
                 COUNT(*) FILTER (WHERE p.state = 'completed')::int AS completed,
                 COUNT(*) FILTER (WHERE p.state = 'failed')::int AS failed,
                 COUNT(*) FILTER (WHERE p.state = 'rejected')::int AS rejected,
                 COUNT(*) FILTER (WHERE p.state = 'canceled')::int AS canceled,
                 COUNT(*) FILTER (WHERE p.state = ANY($3::text[]))::int AS open,
                 MAX(p.created_at) AS last_call_at`)}
          GROUP BY p.partner, p.direction, p.partner_skill
          ORDER BY p.partner, p.direction, p.partner_skill`,
        [...window, OPEN_STATES],
      ),
    );
    return result.rows.map((row) => ({
      partner: row.partner,
      direction: row.direction,
      skill: row.skill,
      calls: row.calls,
      completed: row.completed,
      failed: row.failed,
      rejected: row.rejected,
      canceled: row.canceled,
      open: row.open,
      lastCallAt: row.last_call_at.toISOString(),
    }));
  }

  async #spend(window: string[]): Promise<PartnerSpendRow[]> {
    const result = await withPgErrors('partner spend', () =>
      this.#pool.query<{
        partner: string;
        skill: string | null;
        tier: Tier;
        calls: number;
        refused: number;
        spend: string;
        shadow: string;
      }>(
        `SELECT partner, skill, tier, (COUNT(*) FILTER (WHERE outcome <> 'refused'))::int AS calls,
                (COUNT(*) FILTER (WHERE outcome = 'refused'))::int AS refused,
                SUM(cost_micros)::text AS spend, SUM(shadow_cost_micros)::text AS shadow
           FROM ${this.#ledger}
          WHERE partner IS NOT NULL AND created_at >= $1 AND created_at < $2
          GROUP BY partner, skill, tier
          ORDER BY partner, skill NULLS LAST, tier`,
        window,
      ),
    );
    return result.rows.map((row) => ({
      partner: row.partner,
      skill: row.skill,
      tier: row.tier,
      calls: row.calls,
      refused: row.refused,
      spendMicros: Number(row.spend),
      shadowMicros: Number(row.shadow),
    }));
  }

  async #failures(window: string[], limit: number): Promise<PartnerFailure[]> {
    const result = await withPgErrors('partner failures', () =>
      this.#pool.query<{
        id: string;
        partner: string;
        direction: PartnerDirection;
        skill: string;
        state: PartnerFailure['state'];
        created_at: Date;
        updated_at: Date;
        message: string | null;
        code: string | null;
      }>(
        `${this.#partnerTasks(`p.id, p.partner, p.direction, p.partner_skill AS skill, p.state,
                 p.created_at, p.updated_at, COALESCE(p.error->>'message', p.status_message) AS message,
                 p.error->>'code' AS code`)}
          WHERE p.state IN ('failed', 'rejected', 'canceled')
          ORDER BY p.updated_at DESC, p.id DESC
          LIMIT $3`,
        [...window, limit],
      ),
    );
    return result.rows.map((row) => ({
      taskId: row.id,
      partner: row.partner,
      direction: row.direction,
      skill: row.skill,
      state: row.state,
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
      message: row.message,
      code: row.code,
    }));
  }
}
