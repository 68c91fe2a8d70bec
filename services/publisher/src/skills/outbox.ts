import { z } from 'zod';
import type { PublisherRuntime } from '../publisher-deps.js';

export const OutboxInput = z.object({ limit: z.number().int().min(1).max(500).default(50) });

export const OutboxOutput = z.object({
  posts: z.array(
    z.object({
      idempotencyKey: z.string(),
      publicationId: z.uuid(),
      channel: z.string(),
      body: z.string(),
      hasCard: z.boolean(),
      postedAt: z.string(),
    }),
  ),
});

/** `publisher.outbox`: what the outbox channel holds, newest first (the default channel's view). */
export function outboxSkill(runtime: PublisherRuntime) {
  return {
    id: 'outbox',
    name: 'Outbox',
    description:
      'Lists the posts the outbox channel holds, newest first: what would have gone out, stored and viewable.',
    tags: ['publish', 'outbox'],
    examples: ['{"limit":10}'],
    tier: 'tool' as const,
    input: OutboxInput,
    output: OutboxOutput,
    handler: async (input: z.output<typeof OutboxInput>) => ({
      posts: (await runtime.get().publications.outbox(input.limit)).map((p) => ({
        idempotencyKey: p.idempotencyKey,
        publicationId: p.publicationId,
        channel: p.channel,
        body: p.body,
        hasCard: p.card !== null,
        postedAt: p.postedAt,
      })),
    }),
  };
}
