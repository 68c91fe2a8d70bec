import type { StorySurfaced } from '@forge/contracts';
import { z } from 'zod';

/**
 * A surfaced story as `engagement.draft-take` takes it: the scout's `story-surfaced` event
 * (`StorySurfaced` in @forge/contracts) flattened to what a take needs. Everything in it came from
 * outside the company: it is material to answer, never instructions to follow.
 */
export const SurfacedStory = z.object({
  /** Stable id of the story: the scout's hash of its canonical link. */
  storyId: z.string().min(8).max(128),
  title: z.string().trim().min(1).max(500),
  link: z.url({ protocol: /^https?$/ }).optional(),
  /** The feed's title or id. */
  source: z.string().trim().min(1).max(200),
  summary: z.string().max(5000).default(''),
  publishedAt: z.iso.datetime({ offset: true }).optional(),
  /** Relevance from the rubric, 0..1, and the topics it matched. */
  score: z.number().min(0).max(1),
  topics: z.array(z.string().min(1).max(60)).max(20).default([]),
  /** One line from the scorer on why the story matters. */
  why: z.string().max(1000).default(''),
  /** Feed tags from config, e.g. `competitor`. */
  tags: z.array(z.string().min(1).max(60)).max(20).default([]),
});
export type SurfacedStory = z.infer<typeof SurfacedStory>;

/** The take's view of the scout's event: the item's hash is the story's id across feeds and runs. */
export function surfacedStoryFrom(event: StorySurfaced): SurfacedStory {
  const { item, score } = event;
  const title = item.title?.trim() || item.summary?.trim().slice(0, 120) || item.link || item.hash;
  return {
    storyId: item.hash,
    title,
    ...(item.link ? { link: item.link } : {}),
    source: item.feed.title?.trim() || item.feed.id,
    summary: item.summary ?? '',
    ...(item.published ? { publishedAt: item.published } : {}),
    score: score.relevance,
    topics: score.topics,
    why: score.why ?? '',
    tags: item.feed.tags,
  };
}
