import { randomUUID } from 'node:crypto';
import type { SkillContext } from '@forge/agent-kit';
import { Channel } from '@forge/channel-text';
import { type PolicyVerdict, SafetyFlag } from '@forge/contracts';
import { findInstructions } from '@forge/day';
import { z } from 'zod';
import type { ComplianceRuntime } from '../compliance-deps.js';
import { checkText } from './check-text.js';

/** The frontier review a needs-review text gets before a person sees it. */
export const REVIEW_OUTBOUND_SKILL = 'compliance.review-outbound';

export const GateOutboundInput = z.object({
  /** The exact text that would leave the company. */
  text: z.string().trim().min(1).max(20_000),
  channel: Channel,
  /** The agent that drafted it. */
  draftedBy: z.string().min(1).max(60),
  /** What the text answers. Its `text` came from outside: it is screened, never obeyed. */
  source: z
    .object({
      kind: z.enum(['story', 'mention', 'partner', 'calendar', 'operator']),
      title: z.string().max(500).optional(),
      text: z.string().max(20_000).default(''),
      link: z.string().max(2000).optional(),
      author: z.string().max(200).optional(),
      id: z.string().max(200).optional(),
    })
    .prefault({ kind: 'operator' }),
  /** Checks the drafting agent ran in code and that still fail (voice, length), for the person. */
  failedChecks: z.array(z.string().min(1).max(300)).max(50).default([]),
  competitors: z.array(z.string().trim().min(2).max(100)).max(100).default([]),
  /** Earliest publish time the drafter asks for. */
  publishAt: z.iso.datetime({ offset: true }).optional(),
});
export type GateOutboundInput = z.input<typeof GateOutboundInput>;

export const GateOutboundOutput = z.object({
  approvalId: z.uuid(),
  created: z.boolean(),
  status: z.enum(['pending', 'approved', 'rejected', 'blocked']),
  decision: z.enum(['allow', 'needs-review', 'block']),
  rulesFired: z.array(z.string()),
  safety: z.array(SafetyFlag),
  /** The frontier review task, when the text needed one. */
  reviewTaskId: z.uuid().nullable(),
});
export type GateOutboundOutput = z.infer<typeof GateOutboundOutput>;

/**
 * Every text that would leave the company passes here: the policy engine decides (code, $0);
 * a block is recorded as blocked (never publishable); everything else becomes an approval item —
 * pending for a person, or approved by policy only where config allows it and nothing is in
 * doubt. A needs-review verdict, failed voice checks or instructions found in the source send
 * the text to the frontier review, whose reasoning attaches to the item for the person.
 */
export async function gateOutbound(
  input: z.output<typeof GateOutboundInput>,
  ctx: Pick<SkillContext, 'task' | 'emit'>,
  runtime: ComplianceRuntime,
): Promise<GateOutboundOutput> {
  const { queue, submitter, day, brain } = runtime.get();
  const check = checkText({ text: input.text, channel: input.channel, competitors: input.competitors });
  const safety = [
    ...(input.source.kind === 'operator' || input.source.kind === 'calendar'
      ? []
      : findInstructions(`${input.source.title ?? ''}\n${input.source.text}`, sourceOf(input.source.kind))),
    ...findInstructions(input.text, 'draft'),
  ];
  const rulesFired = [...new Set([...check.violations.map((v) => v.ruleId), ...input.failedChecks])];
  const verdict: PolicyVerdict = {
    decision: check.decision,
    policyVersion: check.policyVersion,
    violations: check.violations.map((v) => ({
      ruleId: v.ruleId,
      severity: v.severity,
      why: v.why,
      excerpt: v.excerpt,
    })),
  };
  const inDoubt = check.decision !== 'allow' || safety.length > 0 || input.failedChecks.length > 0;
  const status =
    check.decision === 'block'
      ? ('blocked' as const)
      : day.approvals.mode === 'needs-review' && !inDoubt
        ? ('approved' as const)
        : ('pending' as const);
  const { item, created } = await queue.add({
    id: randomUUID(),
    sourceKey: `gate:${ctx.task.id}`,
    status,
    channel: input.channel,
    draft: input.text,
    verdict,
    rulesFired,
    safety,
    context: {
      source: input.source,
      draftedBy: input.draftedBy,
      gateTaskId: ctx.task.id,
      ...(input.publishAt ? { publishAt: input.publishAt } : {}),
    },
    originTaskId: ctx.task.parentId ?? ctx.task.id,
    requestedBy: input.draftedBy,
    ...(status === 'pending'
      ? {}
      : {
          decidedBy: 'policy',
          decisionReason:
            status === 'blocked'
              ? check.violations
                  .filter((v) => v.severity === 'block')
                  .map((v) => `${v.ruleId}: ${v.why}`)
                  .join('; ')
                  .slice(0, 2000)
              : `policy ${check.policyVersion} allows it and approvals.mode is needs-review`,
        }),
  });
  let reviewTaskId: string | null = null;
  if (item.status === 'pending' && inDoubt) {
    ({ taskId: reviewTaskId } = await submitter.submit({
      skill: REVIEW_OUTBOUND_SKILL,
      input: { approvalId: item.id },
      origin: { kind: 'agent', brain, by: 'compliance' },
      idempotencyKey: `review:${item.id}`,
      parentId: ctx.task.id,
    }));
  }
  if (created) {
    await ctx.emit('approval-queued', {
      approvalId: item.id,
      status: item.status,
      channel: input.channel,
      decision: check.decision,
      rules: rulesFired,
      injection: safety.map((s) => s.pattern),
      draftedBy: input.draftedBy,
    });
  }
  return {
    approvalId: item.id,
    created,
    status: item.status,
    decision: check.decision,
    rulesFired: item.rulesFired,
    safety: item.safety,
    reviewTaskId,
  };
}

function sourceOf(kind: 'story' | 'mention' | 'partner'): SafetyFlag['source'] {
  return kind;
}

/** `compliance.gate-outbound`: the policy engine over an outbound text, then the approval queue. */
export function gateOutboundSkill(runtime: ComplianceRuntime) {
  return {
    id: 'gate-outbound',
    name: 'Gate outbound text',
    description:
      'Passes a text that would leave the company through the policy engine and into the approval queue: ' +
      'blocked, waiting for a person (with a frontier review when in doubt), or approved by policy where allowed.',
    tags: ['compliance', 'approval', 'brand-safety'],
    examples: ['{"text":"Routing is the system.","channel":"x","draftedBy":"engagement"}'],
    tier: 'tool' as const,
    input: GateOutboundInput,
    output: GateOutboundOutput,
    handler: (input: z.output<typeof GateOutboundInput>, ctx: SkillContext) =>
      gateOutbound(input, ctx, runtime),
  };
}
