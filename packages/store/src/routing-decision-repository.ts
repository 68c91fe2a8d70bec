import {
  AgentName,
  ForgeError,
  Origin,
  parseOrThrow,
  RoutingDecision,
  SkillRef,
  TaskEnvelope,
  Tier,
} from '@forge/contracts';
import type pg from 'pg';
import { z } from 'zod';
import { named } from './named-statement.js';
import { withPgErrors } from './pg-errors.js';
import { qualified } from './schema-name.js';
import { queryNamedOnce } from './stale-statement.js';

/** What the router did with a task: forwarded it, held it for approval, or refused it. */
export const RoutingStatus = z.enum(['routed', 'queued', 'rejected']);
export type RoutingStatus = z.infer<typeof RoutingStatus>;

/**
 * One routing decision as the router records it: the contracts' `RoutingDecision` plus the task,
 * skill, agent and origin, whether the skill is critical and how high escalation may go, what
 * happened to the task, and the budget scopes as the decision saw them (so a decision can be
 * explained afterwards: which rule, which budget). The model gateway reads it for every call.
 */
export const RoutingDecisionRecord = z.object({
  taskId: z.uuid(),
  skill: SkillRef,
  agent: AgentName,
  origin: Origin,
  critical: z.boolean(),
  maxTier: Tier,
  decision: RoutingDecision,
  status: RoutingStatus,
  budget: z.record(z.string(), z.unknown()),
});
export type RoutingDecisionRecord = z.infer<typeof RoutingDecisionRecord>;

/** A task a budget held back, waiting for a person. */
export const BudgetApproval = z.object({
  taskId: z.uuid(),
  skill: SkillRef,
  agent: AgentName,
  tier: Tier,
  reason: z.string().min(1).max(2000),
  /** The envelope (routing stamped) to forward once approved. */
  envelope: TaskEnvelope,
});
export type BudgetApproval = z.infer<typeof BudgetApproval>;

export interface RoutingDecisionRepository {
  /**
   * Stores the task's decision once; a later call returns the stored record unchanged (the
   * first decision wins, so a redelivered task is routed as it was the first time).
   */
  record(record: RoutingDecisionRecord): Promise<{ record: RoutingDecisionRecord; created: boolean }>;
  /**
   * `record`, and for a new `routed` decision also stores it on the task (`tasks.routing`, kept if
   * one is there), in one statement: one round trip where `record` then `setRouting` took three.
   * `stamped` is the routing the task row holds when this statement stamped it or found it set;
   * null when it did neither (the decision was not new, not routed, the task row is missing, or a
   * concurrent stamp raced it): the caller stamps as before.
   */
  recordAndStamp(
    record: RoutingDecisionRecord,
  ): Promise<{ record: RoutingDecisionRecord; created: boolean; stamped: RoutingDecision | null }>;
  get(taskId: string): Promise<RoutingDecisionRecord | null>;
  /**
   * Deletes the task's decision (and an approval of it), for a task found never to be able to
   * exist (its envelope duplicates another task's idempotency key): no orphan row stays.
   */
  discard(taskId: string): Promise<void>;
  /** Adds a pending approval for a budget-queued task; a second call for the task changes nothing. */
  queueForApproval(approval: BudgetApproval): Promise<void>;
  /** The task's approval, with its status, or null. */
  approval(taskId: string): Promise<(BudgetApproval & { status: 'pending' | 'approved' | 'denied' }) | null>;
}

interface DecisionRow {
  task_id: string;
  skill: string;
  agent: string;
  tier: Tier;
  model: string | null;
  origin: Origin;
  critical: boolean;
  max_tier: Tier;
  reasons: string[];
  budget: Record<string, unknown>;
  policy_version: string;
  status: RoutingStatus;
  decided_at: Date;
}

const DECISION_COLUMNS =
  'task_id, skill, agent, tier, model, origin, critical, max_tier, reasons, budget, policy_version, status, decided_at';

function fromRow(row: DecisionRow): RoutingDecisionRecord {
  return {
    taskId: row.task_id,
    skill: row.skill,
    agent: row.agent,
    origin: row.origin,
    critical: row.critical,
    maxTier: row.max_tier,
    status: row.status,
    budget: row.budget,
    decision: {
      tier: row.tier,
      model: row.model,
      reasons: row.reasons,
      policyVersion: row.policy_version,
      decidedAt: row.decided_at.toISOString(),
    },
  };
}

/** RoutingDecisionRepository over `routing_decisions` and `budget_approvals` of one brain's schema. */
export class PgRoutingDecisionRepository implements RoutingDecisionRepository {
  readonly #pool: pg.Pool;
  readonly #decisions: string;
  readonly #approvals: string;
  readonly #tasks: string;

  constructor(pool: pg.Pool, schema: string) {
    this.#pool = pool;
    this.#decisions = qualified(schema, 'routing_decisions');
    this.#approvals = qualified(schema, 'budget_approvals');
    this.#tasks = qualified(schema, 'tasks');
  }

  async recordAndStamp(
    record: RoutingDecisionRecord,
  ): Promise<{ record: RoutingDecisionRecord; created: boolean; stamped: RoutingDecision | null }> {
    const r = parseOrThrow(RoutingDecisionRecord, record, 'routing decision record');
    // The insert, and the stamp only when the insert happened (a decision that is not new may
    // differ from this one: the caller stamps the stored one). The final SELECT sees the
    // statement's snapshot, so the stamp's own result comes from its RETURNING.
    const result = await withPgErrors('routing decision insert and stamp', () =>
      queryNamedOnce<DecisionRow & { stamped: RoutingDecision | null; held: RoutingDecision | null }>(
        this.#pool,
        named(
          `WITH ins AS (
           INSERT INTO ${this.#decisions} (${DECISION_COLUMNS})
           VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9::jsonb, $10::jsonb, $11, $12, $13::timestamptz)
           ON CONFLICT (task_id) DO NOTHING
           RETURNING ${DECISION_COLUMNS}
         ), stamp AS (
           UPDATE ${this.#tasks} SET routing = $14::jsonb
           WHERE id = $1 AND routing IS NULL AND $12 = 'routed' AND EXISTS (SELECT 1 FROM ins)
           RETURNING routing
         )
         SELECT ins.*, (SELECT routing FROM stamp) AS stamped,
           (SELECT routing FROM ${this.#tasks} WHERE id = $1) AS held
         FROM ins`,
          [
            r.taskId,
            r.skill,
            r.agent,
            r.decision.tier,
            r.decision.model,
            JSON.stringify(r.origin),
            r.critical,
            r.maxTier,
            JSON.stringify(r.decision.reasons),
            JSON.stringify(r.budget),
            r.decision.policyVersion,
            r.status,
            r.decision.decidedAt,
            JSON.stringify(r.decision),
          ],
        ),
      ),
    );
    const row = result.rows[0];
    if (row) {
      const stamped = r.status === 'routed' ? (row.stamped ?? row.held) : null;
      return { record: fromRow(row), created: true, stamped };
    }
    const existing = await this.get(r.taskId);
    if (!existing) {
      // Only reachable if the row was deleted between the two statements (only `discard` does).
      throw new ForgeError('CONFLICT', `routing decision of ${r.taskId} changed while being stored`, {
        retryable: true,
      });
    }
    return { record: existing, created: false, stamped: null };
  }

  async record(record: RoutingDecisionRecord): Promise<{ record: RoutingDecisionRecord; created: boolean }> {
    const r = parseOrThrow(RoutingDecisionRecord, record, 'routing decision record');
    const inserted = await withPgErrors('routing decision insert', () =>
      this.#pool.query<DecisionRow>(
        `INSERT INTO ${this.#decisions} (${DECISION_COLUMNS})
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9::jsonb, $10::jsonb, $11, $12, $13::timestamptz)
       ON CONFLICT (task_id) DO NOTHING
       RETURNING ${DECISION_COLUMNS}`,
        [
          r.taskId,
          r.skill,
          r.agent,
          r.decision.tier,
          r.decision.model,
          JSON.stringify(r.origin),
          r.critical,
          r.maxTier,
          JSON.stringify(r.decision.reasons),
          JSON.stringify(r.budget),
          r.decision.policyVersion,
          r.status,
          r.decision.decidedAt,
        ],
      ),
    );
    const row = inserted.rows[0];
    if (row) return { record: fromRow(row), created: true };
    const existing = await this.get(r.taskId);
    if (!existing) {
      // Only reachable if the row was deleted between the two statements (only `discard` does).
      throw new ForgeError('CONFLICT', `routing decision of ${r.taskId} changed while being stored`, {
        retryable: true,
      });
    }
    return { record: existing, created: false };
  }

  async get(taskId: string): Promise<RoutingDecisionRecord | null> {
    const id = parseOrThrow(z.uuid(), taskId, 'task id', 'taskId');
    const result = await withPgErrors('routing decision read', () =>
      queryNamedOnce<DecisionRow>(
        this.#pool,
        named(`SELECT ${DECISION_COLUMNS} FROM ${this.#decisions} WHERE task_id = $1`, [id]),
      ),
    );
    const row = result.rows[0];
    return row ? fromRow(row) : null;
  }

  async discard(taskId: string): Promise<void> {
    const id = parseOrThrow(z.uuid(), taskId, 'task id', 'taskId');
    await withPgErrors('routing decision delete', () =>
      this.#pool.query(`DELETE FROM ${this.#decisions} WHERE task_id = $1`, [id]),
    );
  }

  async queueForApproval(approval: BudgetApproval): Promise<void> {
    const a = parseOrThrow(BudgetApproval, approval, 'budget approval');
    await withPgErrors('budget approval insert', () =>
      this.#pool.query(
        `INSERT INTO ${this.#approvals} (task_id, skill, agent, tier, reason, envelope)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb)
       ON CONFLICT (task_id) DO NOTHING`,
        [a.taskId, a.skill, a.agent, a.tier, a.reason, JSON.stringify(a.envelope)],
      ),
    );
  }

  async approval(
    taskId: string,
  ): Promise<(BudgetApproval & { status: 'pending' | 'approved' | 'denied' }) | null> {
    const id = parseOrThrow(z.uuid(), taskId, 'task id', 'taskId');
    const result = await withPgErrors('budget approval read', () =>
      this.#pool.query<{
        task_id: string;
        skill: string;
        agent: string;
        tier: Tier;
        reason: string;
        envelope: TaskEnvelope;
        status: 'pending' | 'approved' | 'denied';
      }>(
        `SELECT task_id, skill, agent, tier, reason, envelope, status FROM ${this.#approvals} WHERE task_id = $1`,
        [id],
      ),
    );
    const row = result.rows[0];
    if (!row) return null;
    return {
      taskId: row.task_id,
      skill: row.skill,
      agent: row.agent,
      tier: row.tier,
      reason: row.reason,
      envelope: row.envelope,
      status: row.status,
    };
  }
}
