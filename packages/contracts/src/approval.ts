import { z } from 'zod';
import { SkillRef } from './names.js';
import { Tier } from './tier.js';

/**
 * The approval queue as it crosses service boundaries (HTTP, A2A, the CLI, a console): what
 * compliance says needs a person waits here for one. `post` items carry a text that would leave
 * the company; `budget` items are tasks a budget held back (the router's `budget_approvals`).
 */
export const ApprovalKind = z.enum(['post', 'budget']);
export type ApprovalKind = z.infer<typeof ApprovalKind>;

/**
 * `pending`: waits for a person (its frontier review, when one was asked for, attaches when it
 * ends); `approved` (by a person, or by policy where config allows); `rejected` (by a person);
 * `blocked` (by the policy engine: never publishable).
 */
export const ApprovalStatus = z.enum(['pending', 'approved', 'rejected', 'blocked']);
export type ApprovalStatus = z.infer<typeof ApprovalStatus>;

/** The policy engine's decision on the text (compliance `check-text`). */
export const PolicyVerdict = z.object({
  decision: z.enum(['allow', 'needs-review', 'block']),
  policyVersion: z.string(),
  violations: z.array(
    z.object({
      ruleId: z.string(),
      severity: z.enum(['block', 'review']),
      why: z.string(),
      excerpt: z.string().nullable(),
    }),
  ),
});
export type PolicyVerdict = z.infer<typeof PolicyVerdict>;

/** What the frontier review said, with its reasoning kept for the person who decides. */
export const FrontierReview = z.object({
  recommendation: z.enum(['publish', 'edit', 'reject']),
  summary: z.string(),
  /** The reviewer's reasoning, step by step, shown to the person. */
  reasoning: z.string(),
  concerns: z.array(z.string()),
  suggestedText: z.string().nullable(),
  confidence: z.number().min(0).max(1),
  model: z.string(),
  offline: z.boolean(),
  taskId: z.uuid(),
});
export type FrontierReview = z.infer<typeof FrontierReview>;

/** Text from outside (a story, a mention, a partner) that reads like instructions to the agents. */
export const SafetyFlag = z.object({
  source: z.enum(['story', 'mention', 'partner', 'draft']),
  kind: z.literal('instruction-in-data'),
  pattern: z.string(),
  excerpt: z.string(),
});
export type SafetyFlag = z.infer<typeof SafetyFlag>;

export const ApprovalAction = z.enum([
  'approve',
  'edit-approve',
  'reject',
  'auto-approve',
  'block',
  'review',
]);
export type ApprovalAction = z.infer<typeof ApprovalAction>;

/** One decision in an item's history, with who made it. */
export const ApprovalDecision = z.object({
  action: ApprovalAction,
  actor: z.string(),
  reason: z.string().nullable(),
  textBefore: z.string().nullable(),
  textAfter: z.string().nullable(),
  at: z.iso.datetime(),
});
export type ApprovalDecision = z.infer<typeof ApprovalDecision>;

export const ApprovalItem = z.object({
  id: z.uuid(),
  kind: ApprovalKind,
  status: ApprovalStatus,
  /** Where the text would go (`x`, `bluesky`, ...); null for budget items. */
  channel: z.string().nullable(),
  /** The text as drafted; null for budget items. */
  draft: z.string().nullable(),
  /** The text that goes out once approved (the draft, or the person's edit). */
  text: z.string().nullable(),
  verdict: PolicyVerdict.nullable(),
  /** Rule ids the policy engine fired, and checks that failed in code (voice, length). */
  rulesFired: z.array(z.string()),
  review: FrontierReview.nullable(),
  safety: z.array(SafetyFlag),
  /** What the text answers (story, mention) and anything else a person needs to judge it. */
  context: z.record(z.string(), z.unknown()),
  /** The task that drafted it (post) or the task a budget held (budget). */
  originTaskId: z.uuid().nullable(),
  budget: z
    .object({ taskId: z.uuid(), skill: SkillRef, agent: z.string(), tier: Tier, reason: z.string() })
    .nullable(),
  requestedBy: z.string(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  decidedAt: z.iso.datetime().nullable(),
  decidedBy: z.string().nullable(),
  decisionReason: z.string().nullable(),
  decisions: z.array(ApprovalDecision),
});
export type ApprovalItem = z.infer<typeof ApprovalItem>;

/** Approve, or edit then approve (`text`); `publishAt` asks for a slot no earlier than it. */
export const ApproveRequest = z.object({
  text: z.string().trim().min(1).max(20_000).optional(),
  publishAt: z.iso.datetime({ offset: true }).optional(),
  reason: z.string().trim().min(1).max(2000).optional(),
});
export type ApproveRequest = z.input<typeof ApproveRequest>;

export const RejectRequest = z.object({
  reason: z.string().trim().min(3, 'say why (at least 3 characters)').max(2000),
});
export type RejectRequest = z.input<typeof RejectRequest>;

export const ApprovalListQuery = z.object({
  status: ApprovalStatus.optional(),
  kind: ApprovalKind.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
export type ApprovalListQuery = z.input<typeof ApprovalListQuery>;
