import { createHash, randomUUID } from 'node:crypto';
import type { SkillContext } from '@forge/agent-kit';
import { ForgeError } from '@forge/contracts';
import { z } from 'zod';
import { renderTerminalCard } from '../card/terminal-card.js';
import { publishDuePosts, publishedEvent } from '../publish-due-posts.js';
import type { PublisherRuntime } from '../publisher-deps.js';
import { schedulePost } from './schedule-post.js';

export const ScheduleApprovedInput = z.object({
  approvalId: z.uuid(),
  /** The earliest time the person asked for; a time already past means "now". */
  notBefore: z.iso.datetime({ offset: true }).optional(),
});

export const ScheduleApprovedOutput = z.object({
  publicationId: z.uuid(),
  approvalId: z.uuid(),
  channel: z.string(),
  target: z.string(),
  dueAt: z.iso.datetime(),
  /** False when the approval was already scheduled (a retried hand-off). */
  created: z.boolean(),
  status: z.enum(['scheduled', 'publishing', 'published', 'failed']),
  externalId: z.string().nullable(),
});
export type ScheduleApprovedOutput = z.infer<typeof ScheduleApprovedOutput>;

/** The key every channel gets for a post: one per approval, so the approval is what posts once. */
export function publicationKey(approvalId: string): string {
  return createHash('sha256').update(`forge.publish.v1\n${approvalId}`).digest('hex');
}

const DAY = 86_400_000;

/**
 * Puts an approved post in a slot: the person's time when they named one (a time already past
 * means now), else the next free slot in the configured posting windows, spaced from booked
 * posts on the channel. Keyed by the approval: a retried hand-off finds the same publication.
 * Only an approved item is scheduled; a post already due is published at once.
 */
export async function scheduleApproved(
  input: z.output<typeof ScheduleApprovedInput>,
  ctx: Pick<SkillContext, 'logger' | 'emit'>,
  runtime: PublisherRuntime,
): Promise<ScheduleApprovedOutput> {
  const deps = runtime.get();
  const { approvals, publications, channel, day } = deps;
  const item = await approvals.get(input.approvalId);
  if (item?.kind !== 'post') {
    throw new ForgeError('NOT_FOUND', `no approved post ${input.approvalId}`, { retryable: false });
  }
  if (item.status !== 'approved' || item.text === null || item.channel === null) {
    throw new ForgeError(
      'ILLEGAL_TRANSITION',
      `approval ${item.id} is ${item.status}: only approved posts are published`,
      {
        retryable: false,
      },
    );
  }
  const now = new Date();
  let dueAt: string;
  if (input.notBefore) {
    dueAt = new Date(Math.max(now.getTime(), Date.parse(input.notBefore))).toISOString();
  } else {
    const booked = await publications.booked(
      item.channel,
      new Date(now.getTime() - DAY).toISOString(),
      new Date(now.getTime() + 15 * DAY).toISOString(),
    );
    const slot = schedulePost(
      {
        channel: item.channel,
        content: item.text,
        windows: day.publisher.windows,
        booked,
        minSpacingMinutes: day.publisher.minSpacingMinutes,
        slotMinutes: day.publisher.slotMinutes,
      },
      now,
    );
    if (!slot.found)
      throw new ForgeError('CONFLICT', `no slot for approval ${item.id}: ${slot.reason}`, {
        retryable: false,
      });
    dueAt = slot.slot;
  }
  const card = day.publisher.card ? await renderCardFor(item.text) : null;
  const { publication, created } = await publications.schedule({
    id: randomUUID(),
    approvalId: item.id,
    channel: item.channel,
    target: channel.target,
    body: item.text,
    card,
    idempotencyKey: publicationKey(item.id),
    dueAt,
  });
  if (created) {
    await ctx.emit('post-scheduled', {
      approvalId: item.id,
      channel: item.channel,
      dueAt: publication.dueAt,
    });
  }
  let current = publication;
  if (Date.parse(publication.dueAt) <= Date.now() && publication.status === 'scheduled') {
    await publishDuePosts(deps, {
      now: new Date(),
      limit: 5,
      logger: ctx.logger,
      onPublished: (p, o) => ctx.emit('post-published', publishedEvent(p, o)),
    });
    current = (await publications.get(publication.id)) ?? publication;
  }
  return {
    publicationId: current.id,
    approvalId: item.id,
    channel: current.channel,
    target: current.target,
    dueAt: current.dueAt,
    created,
    status: current.status,
    externalId: current.externalId,
  };
}

async function renderCardFor(text: string) {
  const card = await renderTerminalCard({
    title: 'forge',
    command: 'cat take.txt',
    body: text,
    theme: 'dark',
    width: 1200,
  });
  return {
    sha256: card.sha256,
    width: card.width,
    height: card.height,
    pngBase64: card.png.toString('base64'),
    altText: `Terminal window showing the text: ${text}`.slice(0, 1500),
  };
}

/** `publisher.schedule-approved`: an approved post into its slot (published at once when due). $0. */
export function scheduleApprovedSkill(runtime: PublisherRuntime) {
  return {
    id: 'schedule-approved',
    name: 'Schedule approved post',
    description:
      'Schedules an approved post into the next free slot of the posting windows (or the time the person chose), ' +
      'once per approval; a post already due is published at once.',
    tags: ['schedule', 'publish', 'approval'],
    examples: ['{"approvalId":"00000000-0000-4000-8000-000000000000"}'],
    tier: 'tool' as const,
    input: ScheduleApprovedInput,
    output: ScheduleApprovedOutput,
    handler: (input: z.output<typeof ScheduleApprovedInput>, ctx: SkillContext) =>
      scheduleApproved(input, ctx, runtime),
  };
}
