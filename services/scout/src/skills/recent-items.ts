import type { SkillContext } from '@forge/agent-kit';
import type { ScoutRepository } from '@forge/store';
import { z } from 'zod';

const Kebab = z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'must be kebab-case');

export const RecentItemsInput = z.object({
  /** Items of feeds carrying any of these tags: `["competitor"]` is what competitors published. */
  tags: z.array(Kebab).max(20).optional(),
  feeds: z.array(Kebab).max(500).optional(),
  /** First seen in the last this many hours. */
  sinceHours: z
    .number()
    .min(1)
    .max(24 * 31)
    .default(24),
  /** Only stories scored at or above this relevance. */
  minRelevance: z.number().min(0).max(1).optional(),
  limit: z.number().int().min(1).max(200).default(50),
});

export const RecentItemsOutput = z.object({
  items: z.array(
    z.object({
      hash: z.string(),
      feed: z.string(),
      title: z.string().nullable(),
      link: z.string().nullable(),
      summary: z.string().nullable(),
      published: z.string().nullable(),
      firstSeenAt: z.string(),
      relevance: z.number().nullable(),
      topics: z.array(z.string()),
      why: z.string().nullable(),
    }),
  ),
  since: z.string(),
});
export type RecentItemsOutput = z.infer<typeof RecentItemsOutput>;

/**
 * Stories the scout stored recently, newest first, with their scores: what the marketing agent
 * reads for competitor moves (`tags: ["competitor"]`). A database read, the tool tier.
 */
export async function recentItems(
  input: z.output<typeof RecentItemsInput>,
  repo: ScoutRepository,
  now: Date = new Date(),
): Promise<RecentItemsOutput> {
  const since = new Date(now.getTime() - input.sinceHours * 3_600_000).toISOString();
  const items = await repo.recentItems({
    since,
    limit: input.limit,
    ...(input.tags ? { tags: input.tags } : {}),
    ...(input.feeds ? { feedIds: input.feeds } : {}),
    ...(input.minRelevance !== undefined ? { minRelevance: input.minRelevance } : {}),
  });
  return {
    since,
    items: items.map((i) => ({
      hash: i.hash,
      feed: i.feedId,
      title: i.title,
      link: i.link,
      summary: i.summary,
      published: i.published,
      firstSeenAt: i.firstSeenAt,
      relevance: i.relevance,
      topics: i.topics ?? [],
      why: i.why,
    })),
  };
}

/** `scout.recent-items`: recent stories by tag or feed, with scores. */
export function recentItemsSkill(repo: () => ScoutRepository) {
  return {
    id: 'recent-items',
    name: 'Recent stories',
    description:
      'Lists the stories the scout stored recently (by feed tag such as competitor, or by feed), newest ' +
      'first, with relevance, topics and why. A database read, no model.',
    tags: ['news', 'competitors'],
    examples: ['{"tags":["competitor"],"sinceHours":24}'],
    tier: 'tool' as const,
    input: RecentItemsInput,
    output: RecentItemsOutput,
    handler: (input: z.output<typeof RecentItemsInput>, _ctx: SkillContext) => recentItems(input, repo()),
  };
}
