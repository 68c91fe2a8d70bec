import {
  type ApprovalDecision,
  type ApprovalItem,
  ForgeError,
  FrontierReview,
  parseOrThrow,
  type TaskEnvelope,
} from '@forge/contracts';
import { z } from 'zod';
import {
  ApprovalDecisionInput,
  ApprovalQuery,
  type ApprovalRepository,
  type BudgetDecision,
  NewApprovalItem,
} from './approval-repository.js';
import type { BudgetApproval } from './routing-decision-repository.js';

const Id = z.uuid();

function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * ApprovalRepository in process memory, for unit tests of the queue's users. The same contract
 * suite as PgApprovalRepository runs against it. `queueBudget` stands in for the router writing a
 * `budget_approvals` row.
 */
export class InMemoryApprovalRepository implements ApprovalRepository {
  readonly #items = new Map<string, ApprovalItem & { notified: boolean; seq: number; handedOff?: boolean }>();
  readonly #byKey = new Map<string, string>();
  readonly #envelopes = new Map<string, BudgetApproval['envelope']>();
  #seq = 0;

  /** What the router does when a budget holds a task back. */
  queueBudget(approval: BudgetApproval): void {
    if (this.#items.has(approval.taskId)) return;
    const now = new Date().toISOString();
    this.#envelopes.set(approval.taskId, copy(approval.envelope));
    this.#items.set(approval.taskId, {
      id: approval.taskId,
      kind: 'budget',
      status: 'pending',
      channel: null,
      draft: null,
      text: null,
      verdict: null,
      rulesFired: [],
      review: null,
      safety: [],
      context: { input: approval.envelope.input, origin: approval.envelope.origin },
      originTaskId: approval.taskId,
      budget: {
        taskId: approval.taskId,
        skill: approval.skill,
        agent: approval.agent,
        tier: approval.tier,
        reason: approval.reason,
      },
      requestedBy: 'router',
      createdAt: now,
      updatedAt: now,
      decidedAt: null,
      decidedBy: null,
      decisionReason: null,
      decisions: [],
      notified: false,
      seq: ++this.#seq,
    });
  }

  async create(raw: NewApprovalItem): Promise<{ item: ApprovalItem; created: boolean }> {
    const input = parseOrThrow(NewApprovalItem, raw, 'approval item');
    const existing = this.#byKey.get(input.sourceKey);
    if (existing) return { item: (await this.get(existing))!, created: false };
    const now = new Date().toISOString();
    const decided = input.status !== 'pending';
    const decisions: ApprovalDecision[] = decided
      ? [
          {
            action: input.status === 'blocked' ? 'block' : 'auto-approve',
            actor: input.decidedBy ?? 'policy',
            reason: input.decisionReason ?? null,
            textBefore: null,
            textAfter: input.draft,
            at: now,
          },
        ]
      : [];
    this.#items.set(input.id, {
      id: input.id,
      kind: 'post',
      status: input.status,
      channel: input.channel,
      draft: input.draft,
      text: input.draft,
      verdict: input.verdict,
      rulesFired: input.rulesFired,
      review: input.review,
      safety: input.safety,
      context: copy(input.context),
      originTaskId: input.originTaskId,
      budget: null,
      requestedBy: input.requestedBy,
      createdAt: now,
      updatedAt: now,
      decidedAt: decided ? now : null,
      decidedBy: decided ? (input.decidedBy ?? 'policy') : null,
      decisionReason: decided ? (input.decisionReason ?? null) : null,
      decisions,
      notified: false,
      seq: ++this.#seq,
    });
    this.#byKey.set(input.sourceKey, input.id);
    return { item: (await this.get(input.id))!, created: true };
  }

  async get(id: string): Promise<ApprovalItem | null> {
    const item = Id.safeParse(id).success ? this.#items.get(id) : undefined;
    if (!item) return null;
    const { notified: _n, seq: _s, handedOff: _h, ...rest } = item;
    return copy(rest);
  }

  async list(raw: ApprovalQuery = {}): Promise<ApprovalItem[]> {
    const query = parseOrThrow(ApprovalQuery, raw, 'approval query');
    const items = [...this.#items.values()]
      .filter((i) => (query.status ? i.status === query.status : true))
      .filter((i) => (query.kind ? i.kind === query.kind : true))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.seq - a.seq)
      .slice(0, query.limit);
    return Promise.all(items.map(async (i) => (await this.get(i.id))!));
  }

  async attachReview(id: string, raw: FrontierReview, actor: string): Promise<ApprovalItem> {
    const review = parseOrThrow(FrontierReview, raw, 'frontier review', 'review');
    const item = this.#post(id);
    item.review = copy(review);
    item.updatedAt = new Date().toISOString();
    item.decisions.push({
      action: 'review',
      actor,
      reason: `${review.recommendation}: ${review.summary}`.slice(0, 2000),
      textBefore: null,
      textAfter: null,
      at: item.updatedAt,
    });
    return (await this.get(id))!;
  }

  async decide(id: string, raw: ApprovalDecisionInput): Promise<ApprovalItem> {
    const decision = parseOrThrow(ApprovalDecisionInput, raw, 'approval decision');
    if (decision.action === 'edit-approve' && decision.text === undefined) {
      throw new ForgeError('BAD_INPUT', 'invalid approval decision: text: required to edit then approve', {
        retryable: false,
        details: { field: 'text' },
      });
    }
    const item = this.#post(id);
    this.#assertPending(item);
    const now = new Date().toISOString();
    const before = item.text;
    const after = decision.action === 'reject' ? null : (decision.text ?? before);
    item.status = decision.action === 'reject' ? 'rejected' : 'approved';
    if (decision.action === 'edit-approve') item.text = after;
    Object.assign(item, {
      decidedAt: now,
      decidedBy: decision.actor,
      decisionReason: decision.reason,
      updatedAt: now,
    });
    item.decisions.push({
      action: decision.action,
      actor: decision.actor,
      reason: decision.reason,
      textBefore: before,
      textAfter: after,
      at: now,
    });
    return (await this.get(id))!;
  }

  async decideBudget(
    id: string,
    decision: { approve: boolean; actor: string; reason: string | null },
  ): Promise<BudgetDecision> {
    const item = this.#items.get(id);
    if (item?.kind !== 'budget') throw new ForgeError('NOT_FOUND', `no approval item ${id}`);
    this.#assertPending(item);
    const now = new Date().toISOString();
    item.status = decision.approve ? 'approved' : 'rejected';
    Object.assign(item, {
      decidedAt: now,
      decidedBy: decision.actor,
      decisionReason: decision.reason,
      updatedAt: now,
    });
    item.decisions.push({
      action: decision.approve ? 'approve' : 'reject',
      actor: decision.actor,
      reason: decision.reason,
      textBefore: null,
      textAfter: null,
      at: now,
    });
    return { item: (await this.get(id))!, envelope: copy(this.#envelopes.get(id)!) };
  }

  async unnotified(limit: number): Promise<ApprovalItem[]> {
    const items = [...this.#items.values()]
      .filter((i) => !i.notified && i.status === 'pending')
      .sort((a, b) => a.seq - b.seq)
      .slice(0, limit);
    return Promise.all(items.map(async (i) => (await this.get(i.id))!));
  }

  async markNotified(ids: string[]): Promise<void> {
    for (const id of ids) {
      const item = this.#items.get(id);
      if (item) item.notified = true;
    }
  }

  async pendingHandOffs(limit: number): Promise<{ item: ApprovalItem; envelope: TaskEnvelope | null }[]> {
    const items = [...this.#items.values()]
      .filter((i) => i.status === 'approved' && !i.handedOff)
      .sort((a, b) => (a.decidedAt ?? '').localeCompare(b.decidedAt ?? '') || a.seq - b.seq)
      .slice(0, limit);
    return Promise.all(
      items.map(async (i) => ({
        item: (await this.get(i.id))!,
        envelope: i.kind === 'budget' ? copy(this.#envelopes.get(i.id)!) : null,
      })),
    );
  }

  async markHandedOff(ids: string[]): Promise<void> {
    for (const id of ids) {
      const item = this.#items.get(id);
      if (item) item.handedOff = true;
    }
  }

  #post(id: string): ApprovalItem & { notified: boolean; seq: number } {
    const item = Id.safeParse(id).success ? this.#items.get(id) : undefined;
    if (item?.kind !== 'post') throw new ForgeError('NOT_FOUND', `no approval item ${id}`);
    return item;
  }

  #assertPending(item: ApprovalItem): void {
    if (item.status !== 'pending') {
      throw new ForgeError(
        'ILLEGAL_TRANSITION',
        `approval ${item.id} is ${item.status}${item.decidedBy ? ` (decided by ${item.decidedBy})` : ''}, not pending`,
        { retryable: false, details: { id: item.id, status: item.status, decidedBy: item.decidedBy } },
      );
    }
  }
}
