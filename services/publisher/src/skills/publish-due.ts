import type { SkillContext } from '@forge/agent-kit';
import { z } from 'zod';
import { publishDuePosts, publishedEvent } from '../publish-due-posts.js';
import type { PublisherRuntime } from '../publisher-deps.js';

export const PublishDueInput = z.object({
  /** At most this many posts in one run. */
  limit: z.number().int().min(1).max(200).default(20),
});

const Outcome = z.object({
  publicationId: z.uuid(),
  approvalId: z.uuid(),
  channel: z.string(),
  status: z.enum(['published', 'retrying', 'failed']),
  externalId: z.string().nullable(),
  url: z.string().nullable(),
  error: z.string().nullable(),
});

export const PublishDueOutput = z.object({
  target: z.string(),
  outcomes: z.array(Outcome),
  published: z.number().int(),
});
export type PublishDueOutput = z.infer<typeof PublishDueOutput>;

/** `publisher.publish-due`: publishes every approved post whose slot has come, exactly once. $0. */
export function publishDueSkill(runtime: PublisherRuntime) {
  return {
    id: 'publish-due',
    name: 'Publish due posts',
    description:
      'Publishes every approved post whose slot has come, exactly once (claimed under a lease, posted with its ' +
      'idempotency key), through the configured channel: outbox, webhook or Mastodon.',
    tags: ['publish', 'schedule'],
    examples: ['{}'],
    tier: 'tool' as const,
    input: PublishDueInput,
    output: PublishDueOutput,
    handler: async (
      input: z.output<typeof PublishDueInput>,
      ctx: SkillContext,
    ): Promise<PublishDueOutput> => {
      const deps = runtime.get();
      const outcomes = await publishDuePosts(deps, {
        now: new Date(),
        limit: input.limit,
        logger: ctx.logger,
        onPublished: (p, o) => ctx.emit('post-published', publishedEvent(p, o)),
      });
      return {
        target: deps.channel.target,
        outcomes,
        published: outcomes.filter((o) => o.status === 'published').length,
      };
    },
  };
}
