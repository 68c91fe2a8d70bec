import { defineSkill, type Skill, type SkillContext } from '@forge/agent-kit';
import { ApprovalItem, ApprovalListQuery, ApproveRequest, RejectRequest } from '@forge/contracts';
import { z } from 'zod';
import type { ComplianceRuntime } from '../compliance-deps.js';

const ById = z.object({ id: z.uuid() });

/**
 * The approval queue as A2A skills (tool tier, $0): the caller's principal (`origin.by`) is who
 * decides, as over HTTP and in `forge approvals`.
 */
export function approvalSkills(runtime: ComplianceRuntime): Skill[] {
  const queue = () => runtime.get().queue;
  return [
    defineSkill({
      id: 'list-approvals',
      name: 'List approvals',
      description: 'Lists the approval queue, newest first: post and budget items, by status and kind.',
      tags: ['approval', 'queue'],
      examples: ['{"status":"pending"}'],
      tier: 'tool' as const,
      input: ApprovalListQuery,
      output: z.object({ items: z.array(ApprovalItem) }),
      handler: async (input: z.output<typeof ApprovalListQuery>) => ({ items: await queue().list(input) }),
    }) as Skill,
    defineSkill({
      id: 'show-approval',
      name: 'Show approval',
      description:
        'One approval item: draft, policy verdict, rules fired, frontier reasoning and every decision.',
      tags: ['approval', 'queue'],
      examples: ['{"id":"00000000-0000-4000-8000-000000000000"}'],
      tier: 'tool' as const,
      input: ById,
      output: ApprovalItem,
      handler: (input: z.output<typeof ById>) => queue().get(input.id),
    }) as Skill,
    defineSkill({
      id: 'approve',
      name: 'Approve',
      description:
        'Approves a pending item (with `text`: edits then approves) as the caller; an approved post goes to the publisher.',
      tags: ['approval', 'decision'],
      examples: ['{"id":"00000000-0000-4000-8000-000000000000"}'],
      tier: 'tool' as const,
      input: ById.extend(ApproveRequest.shape),
      output: ApprovalItem,
      handler: (input: z.output<typeof ById> & z.output<typeof ApproveRequest>, ctx: SkillContext) => {
        const { id, ...request } = input;
        return queue().approve(id, ctx.task.origin.by, request);
      },
    }) as Skill,
    defineSkill({
      id: 'reject',
      name: 'Reject',
      description: 'Rejects a pending item with a reason, as the caller; a rejected post is never published.',
      tags: ['approval', 'decision'],
      examples: ['{"id":"00000000-0000-4000-8000-000000000000","reason":"off brand"}'],
      tier: 'tool' as const,
      input: ById.extend(RejectRequest.shape),
      output: ApprovalItem,
      handler: (input: z.output<typeof ById> & z.output<typeof RejectRequest>, ctx: SkillContext) =>
        queue().reject(input.id, ctx.task.origin.by, { reason: input.reason }),
    }) as Skill,
  ];
}
