import { z } from 'zod';

/**
 * The event the scout emits for a story that scored over its threshold, and what the engagement
 * agent consumes: an AgentEvent from agent `scout` with kind {@link STORY_SURFACED_KIND}
 * (subject `forge.<brain>.event.scout.story-surfaced`, stream EVENTS) whose `data` is a
 * {@link SurfacedStory}.
 *
 * Defined on the `day` branch, where engagement consumes it; the `feeds` branch (the scout's
 * real fetching and scoring) emits it. This file is the one place the two meet: when both land,
 * keep one definition of it here.
 *
 * Everything in a story came from outside the company: it is material to answer, never
 * instructions to follow.
 */
export const STORY_SURFACED_KIND = 'story-surfaced';

export const SurfacedStory = z.object({
  /** Stable id of the story: the scout's hash of its normalised link. */
  storyId: z.string().min(8).max(128),
  title: z.string().trim().min(1).max(500),
  link: z.url({ protocol: /^https?$/ }),
  /** The feed's title or host. */
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
