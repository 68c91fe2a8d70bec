import {
  type ApprovalDecision,
  type ApprovalItem,
  ForgeError,
  FrontierReview,
  parseOrThrow,
  type TaskEnvelope,
} from '@forge/contracts';
import type pg from 'pg';
import { z } from 'zod';
import {
  ApprovalDecisionInput,
  ApprovalQuery,
  type ApprovalRepository,
  type BudgetDecision,
  NewApprovalItem,
} from './approval-repository.js';
import { withPgErrors } from './pg-errors.js';
import { qualified } from './schema-name.js';

interface ItemRow {
  id: string;
  source_key: string;
  status: ApprovalItem['status'];
  channel: string;
  draft: string;
  final_text: string | null;
  verdict: ApprovalItem['verdict'];
  rules_fired: string[];
  review: ApprovalItem['review'];
  safety: ApprovalItem['safety'];
  context: Record<string, unknown>;
  origin_task_id: string | null;
  requested_by: string;
  created_at: Date;
  updated_at: Date;
  decided_at: Date | null;
  decided_by: string | null;
  decision_reason: string | null;
}

interface BudgetRow {
  task_id: string;
  skill: string;
  agent: string;
  tier: 'tool' | 'small' | 'mid' | 'frontier';
  reason: string;
  envelope: TaskEnvelope;
  status: 'pending' | 'approved' | 'denied';
  requested_at: Date;
  decided_at: Date | null;
  decided_by: string | null;
}

interface DecisionRow {
  item_id: string;
  action: ApprovalDecision['action'];
  actor: string;
  reason: string | null;
  text_before: string | null;
  text_after: string | null;
  at: Date;
}

const ITEM_COLUMNS = `id, source_key, status, channel, draft, final_text, verdict, rules_fired, review, safety,
  context, origin_task_id, requested_by, created_at, updated_at, decided_at, decided_by, decision_reason`;
const BUDGET_COLUMNS =
  'task_id, skill, agent, tier, reason, envelope, status, requested_at, decided_at, decided_by';

const Id = z.uuid();

function iso(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}

function decisionOf(row: DecisionRow): ApprovalDecision {
  return {
    action: row.action,
    actor: row.actor,
    reason: row.reason,
    textBefore: row.text_before,
    textAfter: row.text_after,
    at: row.at.toISOString(),
  };
}

function itemOf(row: ItemRow, decisions: ApprovalDecision[]): ApprovalItem {
  return {
    id: row.id,
    kind: 'post',
    status: row.status,
    channel: row.channel,
    draft: row.draft,
    text: row.final_text ?? row.draft,
    verdict: row.verdict,
    rulesFired: row.rules_fired,
    review: row.review,
    safety: row.safety,
    context: row.context,
    originTaskId: row.origin_task_id,
    budget: null,
    requestedBy: row.requested_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    decidedAt: iso(row.decided_at),
    decidedBy: row.decided_by,
    decisionReason: row.decision_reason,
    decisions,
  };
}

const BUDGET_STATUS = { pending: 'pending', approved: 'approved', denied: 'rejected' } as const;

function budgetItemOf(row: BudgetRow, decisions: ApprovalDecision[]): ApprovalItem {
  const last = decisions.at(-1);
  return {
    id: row.task_id,
    kind: 'budget',
    status: BUDGET_STATUS[row.status],
    channel: null,
    draft: null,
    text: null,
    verdict: null,
    rulesFired: [],
    review: null,
    safety: [],
    context: { input: row.envelope.input, origin: row.envelope.origin },
    originTaskId: row.task_id,
    budget: { taskId: row.task_id, skill: row.skill, agent: row.agent, tier: row.tier, reason: row.reason },
    requestedBy: 'router',
    createdAt: row.requested_at.toISOString(),
    updatedAt: (row.decided_at ?? row.requested_at).toISOString(),
    decidedAt: iso(row.decided_at),
    decidedBy: row.decided_by,
    decisionReason: row.status === 'pending' ? null : (last?.reason ?? null),
    decisions,
  };
}

function alreadyDecided(id: string, status: string, by: string | null): ForgeError {
  return new ForgeError(
    'ILLEGAL_TRANSITION',
    `approval ${id} is ${status}${by ? ` (decided by ${by})` : ''}, not pending`,
    { retryable: false, details: { id, status, decidedBy: by } },
  );
}

function notFound(id: string): ForgeError {
  return new ForgeError('NOT_FOUND', `no approval item ${id}`, { retryable: false });
}

/** ApprovalRepository over one brain's schema (migration 0015; budget items from 0003). */
export class PgApprovalRepository implements ApprovalRepository {
  readonly #pool: pg.Pool;
  readonly #items: string;
  readonly #decisions: string;
  readonly #budget: string;

  constructor(pool: pg.Pool, schema: string) {
    this.#pool = pool;
    this.#items = qualified(schema, 'approval_items');
    this.#decisions = qualified(schema, 'approval_decisions');
    this.#budget = qualified(schema, 'budget_approvals');
  }

  async create(raw: NewApprovalItem): Promise<{ item: ApprovalItem; created: boolean }> {
    const item = parseOrThrow(NewApprovalItem, raw, 'approval item');
    const decided = item.status !== 'pending';
    const inserted = await this.#transaction('approval item insert', async (client) => {
      const result = await client.query<{ id: string }>(
        `INSERT INTO ${this.#items} (id, source_key, status, channel, draft, verdict, rules_fired, review, safety,
           context, origin_task_id, requested_by, decided_at, decided_by, decision_reason)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8::jsonb, $9::jsonb, $10::jsonb, $11, $12,
           CASE WHEN $13::boolean THEN now() END, $14, $15)
         ON CONFLICT (source_key) DO NOTHING RETURNING id`,
        [
          item.id,
          item.sourceKey,
          item.status,
          item.channel,
          item.draft,
          JSON.stringify(item.verdict),
          item.rulesFired,
          JSON.stringify(item.review),
          JSON.stringify(item.safety),
          JSON.stringify(item.context),
          item.originTaskId,
          item.requestedBy,
          decided,
          decided ? (item.decidedBy ?? 'policy') : null,
          decided ? (item.decisionReason ?? null) : null,
        ],
      );
      const id = result.rows[0]?.id;
      if (id && decided) {
        await client.query(
          `INSERT INTO ${this.#decisions} (item_id, action, actor, reason, text_after) VALUES ($1, $2, $3, $4, $5)`,
          [
            id,
            item.status === 'blocked' ? 'block' : 'auto-approve',
            item.decidedBy ?? 'policy',
            item.decisionReason ?? null,
            item.draft,
          ],
        );
      }
      return id;
    });
    if (inserted) return { item: (await this.get(inserted))!, created: true };
    const existing = await withPgErrors('approval item read', () =>
      this.#pool.query<{ id: string }>(`SELECT id FROM ${this.#items} WHERE source_key = $1`, [
        item.sourceKey,
      ]),
    );
    const id = existing.rows[0]?.id;
    if (!id) throw new ForgeError('CONFLICT', `approval item ${item.sourceKey} changed while stored`);
    return { item: (await this.get(id))!, created: false };
  }

  async get(rawId: string): Promise<ApprovalItem | null> {
    const parsed = Id.safeParse(rawId);
    if (!parsed.success) return null;
    const id = parsed.data;
    const [items, budgets, decisions] = await withPgErrors('approval item read', () =>
      Promise.all([
        this.#pool.query<ItemRow>(`SELECT ${ITEM_COLUMNS} FROM ${this.#items} WHERE id = $1`, [id]),
        this.#pool.query<BudgetRow>(`SELECT ${BUDGET_COLUMNS} FROM ${this.#budget} WHERE task_id = $1`, [id]),
        this.#pool.query<DecisionRow>(
          `SELECT item_id, action, actor, reason, text_before, text_after, at FROM ${this.#decisions}
            WHERE item_id = $1 ORDER BY seq`,
          [id],
        ),
      ]),
    );
    const history = decisions.rows.map(decisionOf);
    if (items.rows[0]) return itemOf(items.rows[0], history);
    if (budgets.rows[0]) return budgetItemOf(budgets.rows[0], history);
    return null;
  }

  async list(rawQuery: ApprovalQuery = {}): Promise<ApprovalItem[]> {
    const query = parseOrThrow(ApprovalQuery, rawQuery, 'approval query');
    const wantPosts = query.kind !== 'budget';
    const wantBudget = query.kind !== 'post';
    const budgetStatus =
      query.status === 'rejected' ? 'denied' : query.status === 'blocked' ? null : query.status;
    const [items, budgets] = await withPgErrors('approval list', () =>
      Promise.all([
        wantPosts
          ? this.#pool.query<ItemRow>(
              `SELECT ${ITEM_COLUMNS} FROM ${this.#items} WHERE ($1::text IS NULL OR status = $1)
                ORDER BY created_at DESC, id DESC LIMIT $2`,
              [query.status ?? null, query.limit],
            )
          : { rows: [] as ItemRow[] },
        wantBudget && !(query.status === 'blocked')
          ? this.#pool.query<BudgetRow>(
              `SELECT ${BUDGET_COLUMNS} FROM ${this.#budget} WHERE ($1::text IS NULL OR status = $1)
                ORDER BY requested_at DESC, task_id DESC LIMIT $2`,
              [budgetStatus ?? null, query.limit],
            )
          : { rows: [] as BudgetRow[] },
      ]),
    );
    const ids = [...items.rows.map((r) => r.id), ...budgets.rows.map((r) => r.task_id)];
    const history = await this.#history(ids);
    const all = [
      ...items.rows.map((r) => itemOf(r, history.get(r.id) ?? [])),
      ...budgets.rows.map((r) => budgetItemOf(r, history.get(r.task_id) ?? [])),
    ];
    all.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
    return all.slice(0, query.limit);
  }

  async attachReview(rawId: string, rawReview: FrontierReview, actor: string): Promise<ApprovalItem> {
    const id = parseOrThrow(Id, rawId, 'approval id', 'id');
    const review = parseOrThrow(FrontierReview, rawReview, 'frontier review', 'review');
    const found = await this.#transaction('approval review', async (client) => {
      const updated = await client.query(
        `UPDATE ${this.#items} SET review = $2::jsonb, updated_at = now() WHERE id = $1 RETURNING id`,
        [id, JSON.stringify(review)],
      );
      if (updated.rowCount === 0) return false;
      await client.query(
        `INSERT INTO ${this.#decisions} (item_id, action, actor, reason) VALUES ($1, 'review', $2, $3)`,
        [id, actor, `${review.recommendation}: ${review.summary}`.slice(0, 2000)],
      );
      return true;
    });
    if (!found) throw notFound(id);
    return (await this.get(id))!;
  }

  async decide(rawId: string, raw: ApprovalDecisionInput): Promise<ApprovalItem> {
    const id = parseOrThrow(Id, rawId, 'approval id', 'id');
    const decision = parseOrThrow(ApprovalDecisionInput, raw, 'approval decision');
    if (decision.action === 'edit-approve' && decision.text === undefined) {
      throw new ForgeError('BAD_INPUT', 'invalid approval decision: text: required to edit then approve', {
        retryable: false,
        details: { field: 'text' },
      });
    }
    const status = decision.action === 'reject' ? 'rejected' : 'approved';
    const outcome = await this.#transaction('approval decision', async (client) => {
      const current = await client.query<{ status: string; decided_by: string | null; draft: string }>(
        `SELECT status, decided_by, COALESCE(final_text, draft) AS draft FROM ${this.#items} WHERE id = $1 FOR UPDATE`,
        [id],
      );
      const row = current.rows[0];
      if (!row) return { kind: 'missing' as const };
      if (row.status !== 'pending')
        return { kind: 'decided' as const, status: row.status, by: row.decided_by };
      const textAfter = decision.action === 'reject' ? null : (decision.text ?? row.draft);
      await client.query(
        `UPDATE ${this.#items} SET status = $2, final_text = COALESCE($3, final_text), decided_at = now(),
           decided_by = $4, decision_reason = $5, updated_at = now() WHERE id = $1`,
        [id, status, decision.action === 'edit-approve' ? textAfter : null, decision.actor, decision.reason],
      );
      await client.query(
        `INSERT INTO ${this.#decisions} (item_id, action, actor, reason, text_before, text_after)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [id, decision.action, decision.actor, decision.reason, row.draft, textAfter],
      );
      return { kind: 'done' as const };
    });
    if (outcome.kind === 'missing') throw notFound(id);
    if (outcome.kind === 'decided') throw alreadyDecided(id, outcome.status, outcome.by);
    return (await this.get(id))!;
  }

  async decideBudget(
    rawId: string,
    decision: { approve: boolean; actor: string; reason: string | null },
  ): Promise<BudgetDecision> {
    const id = parseOrThrow(Id, rawId, 'approval id', 'id');
    const outcome = await this.#transaction('budget approval decision', async (client) => {
      const current = await client.query<{
        status: string;
        decided_by: string | null;
        envelope: TaskEnvelope;
      }>(`SELECT status, decided_by, envelope FROM ${this.#budget} WHERE task_id = $1 FOR UPDATE`, [id]);
      const row = current.rows[0];
      if (!row) return { kind: 'missing' as const };
      if (row.status !== 'pending')
        return { kind: 'decided' as const, status: row.status, by: row.decided_by };
      await client.query(
        `UPDATE ${this.#budget} SET status = $2, decided_at = now(), decided_by = $3 WHERE task_id = $1`,
        [id, decision.approve ? 'approved' : 'denied', decision.actor],
      );
      await client.query(
        `INSERT INTO ${this.#decisions} (item_id, action, actor, reason) VALUES ($1, $2, $3, $4)`,
        [id, decision.approve ? 'approve' : 'reject', decision.actor, decision.reason],
      );
      return { kind: 'done' as const, envelope: row.envelope };
    });
    if (outcome.kind === 'missing') throw notFound(id);
    if (outcome.kind === 'decided')
      throw alreadyDecided(id, outcome.status === 'denied' ? 'rejected' : outcome.status, outcome.by);
    return { item: (await this.get(id))!, envelope: outcome.envelope };
  }

  async unnotified(limit: number): Promise<ApprovalItem[]> {
    const [items, budgets] = await withPgErrors('approval unnotified', () =>
      Promise.all([
        this.#pool.query<ItemRow>(
          `SELECT ${ITEM_COLUMNS} FROM ${this.#items} WHERE notified_at IS NULL AND status = 'pending'
            ORDER BY created_at LIMIT $1`,
          [limit],
        ),
        this.#pool.query<BudgetRow>(
          `SELECT ${BUDGET_COLUMNS} FROM ${this.#budget} WHERE notified_at IS NULL AND status = 'pending'
            ORDER BY requested_at LIMIT $1`,
          [limit],
        ),
      ]),
    );
    const all = [...items.rows.map((r) => itemOf(r, [])), ...budgets.rows.map((r) => budgetItemOf(r, []))];
    all.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    return all.slice(0, limit);
  }

  async markNotified(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await withPgErrors('approval mark notified', async () => {
      await this.#pool.query(`UPDATE ${this.#items} SET notified_at = now() WHERE id = ANY($1::uuid[])`, [
        ids,
      ]);
      await this.#pool.query(
        `UPDATE ${this.#budget} SET notified_at = now() WHERE task_id = ANY($1::uuid[])`,
        [ids],
      );
    });
  }

  async pendingHandOffs(limit: number): Promise<{ item: ApprovalItem; envelope: TaskEnvelope | null }[]> {
    const [items, budgets] = await withPgErrors('approval hand-offs', () =>
      Promise.all([
        this.#pool.query<ItemRow>(
          `SELECT ${ITEM_COLUMNS} FROM ${this.#items} WHERE status = 'approved' AND handed_off_at IS NULL
            ORDER BY decided_at LIMIT $1`,
          [limit],
        ),
        this.#pool.query<BudgetRow>(
          `SELECT ${BUDGET_COLUMNS} FROM ${this.#budget} WHERE status = 'approved' AND handed_off_at IS NULL
            ORDER BY decided_at LIMIT $1`,
          [limit],
        ),
      ]),
    );
    return [
      ...items.rows.map((r) => ({ item: itemOf(r, []), envelope: null })),
      ...budgets.rows.map((r) => ({ item: budgetItemOf(r, []), envelope: r.envelope })),
    ].slice(0, limit);
  }

  async markHandedOff(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await withPgErrors('approval mark handed off', async () => {
      await this.#pool.query(`UPDATE ${this.#items} SET handed_off_at = now() WHERE id = ANY($1::uuid[])`, [
        ids,
      ]);
      await this.#pool.query(
        `UPDATE ${this.#budget} SET handed_off_at = now() WHERE task_id = ANY($1::uuid[])`,
        [ids],
      );
    });
  }

  async #history(ids: string[]): Promise<Map<string, ApprovalDecision[]>> {
    const map = new Map<string, ApprovalDecision[]>();
    if (ids.length === 0) return map;
    const rows = await withPgErrors('approval history', () =>
      this.#pool.query<DecisionRow>(
        `SELECT item_id, action, actor, reason, text_before, text_after, at FROM ${this.#decisions}
          WHERE item_id = ANY($1::uuid[]) ORDER BY seq`,
        [ids],
      ),
    );
    for (const row of rows.rows) {
      const list = map.get(row.item_id) ?? [];
      list.push(decisionOf(row));
      map.set(row.item_id, list);
    }
    return map;
  }

  async #transaction<T>(what: string, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return withPgErrors(what, async () => {
      const client = await this.#pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    });
  }
}
