import {
  type ApprovalItem,
  ApprovalKind,
  ApprovalStatus,
  FrontierReview,
  PolicyVerdict,
  SafetyFlag,
  type TaskEnvelope,
} from '@forge/contracts';
import { z } from 'zod';

/** A text that would leave the company, as compliance hands it to the queue. */
export const NewApprovalItem = z.object({
  id: z.uuid(),
  /** Idempotency: a second create with the same key returns the first item unchanged. */
  sourceKey: z.string().min(1).max(400),
  /** `pending` waits for a person; `approved` (auto-approved by policy) and `blocked` are decided. */
  status: z.enum(['pending', 'approved', 'blocked']),
  channel: z.string().min(1).max(40),
  draft: z.string().min(1).max(100_000),
  verdict: PolicyVerdict.nullable(),
  rulesFired: z.array(z.string()).default([]),
  review: FrontierReview.nullable().default(null),
  safety: z.array(SafetyFlag).default([]),
  context: z.record(z.string(), z.unknown()).default({}),
  originTaskId: z.uuid().nullable(),
  requestedBy: z.string().min(1).max(200),
  /** Who decided when `status` is not pending (e.g. `policy`), and why. */
  decidedBy: z.string().min(1).max(200).optional(),
  decisionReason: z.string().max(2000).optional(),
});
export type NewApprovalItem = z.input<typeof NewApprovalItem>;

/** A person's (or policy's) decision on a pending item. */
export const ApprovalDecisionInput = z.object({
  action: z.enum(['approve', 'edit-approve', 'reject']),
  actor: z.string().min(1).max(200),
  reason: z.string().max(2000).nullable().default(null),
  /** The edited text (edit-approve only). */
  text: z.string().min(1).max(100_000).optional(),
});
export type ApprovalDecisionInput = z.input<typeof ApprovalDecisionInput>;

export const ApprovalQuery = z.object({
  status: ApprovalStatus.optional(),
  kind: ApprovalKind.optional(),
  limit: z.number().int().min(1).max(500).default(50),
});
export type ApprovalQuery = z.input<typeof ApprovalQuery>;

/** What deciding a budget item returns: the item, and the envelope to forward when approved. */
export interface BudgetDecision {
  item: ApprovalItem;
  envelope: TaskEnvelope;
}

/**
 * The approval queue's storage. Post items live in `approval_items`; budget items are the
 * router's `budget_approvals` rows, read and decided through the same repository so one queue
 * shows both. Every decision is appended to `approval_decisions` with who made it, in the same
 * transaction as the status change.
 */
export interface ApprovalRepository {
  /** Inserts the item (and, when it is born decided, its decision); idempotent on `sourceKey`. */
  create(item: NewApprovalItem): Promise<{ item: ApprovalItem; created: boolean }>;
  /** A post item, else a budget item whose task id is `id`; null when neither exists. */
  get(id: string): Promise<ApprovalItem | null>;
  /** Newest first, post and budget items together unless `kind` says which. */
  list(query?: ApprovalQuery): Promise<ApprovalItem[]>;
  /** Attaches the frontier review (any status) and records it as a `review` decision. */
  attachReview(id: string, review: FrontierReview, actor: string): Promise<ApprovalItem>;
  /**
   * Decides a pending post item with a compare-and-set from `pending`: ILLEGAL_TRANSITION when
   * it was decided already (naming by whom), NOT_FOUND when there is no such item, BAD_INPUT for
   * an edit without text.
   */
  decide(id: string, decision: ApprovalDecisionInput): Promise<ApprovalItem>;
  /** Decides a pending budget item (approve or reject), with the same rules as `decide`. */
  decideBudget(
    taskId: string,
    decision: { approve: boolean; actor: string; reason: string | null },
  ): Promise<BudgetDecision>;
  /** Items (post and budget) created but not yet announced, oldest first. */
  unnotified(limit: number): Promise<ApprovalItem[]>;
  markNotified(ids: string[]): Promise<void>;
  /**
   * Approved items (post and budget) not yet handed on (to the publisher, or forwarded to their
   * agent), oldest first, with each budget item's envelope: what the queue retries after a crash
   * between a decision and its hand-off.
   */
  pendingHandOffs(limit: number): Promise<{ item: ApprovalItem; envelope: TaskEnvelope | null }[]>;
  markHandedOff(ids: string[]): Promise<void>;
}
