import { STORY_SURFACED, StorySurfaced } from '@forge/contracts';
import type { Observation } from '@forge/store';

/** A story the scout surfaced, as marketing reads it from the diary's observations. */
export interface SurfacedStoryNote {
  title: string;
  link: string | null;
  source: string;
  score: number;
  topics: string[];
  why: string | null;
  tags: string[];
}

/**
 * The stories among `observations` (the scout's `story-surfaced` events), best first and once per
 * story: an observation whose data is not a surfaced story (an older shape) is left out, never
 * guessed at.
 */
export function surfacedStories(observations: readonly Observation[]): SurfacedStoryNote[] {
  const byHash = new Map<string, SurfacedStoryNote>();
  for (const o of observations) {
    if (o.agent !== STORY_SURFACED.agent || o.kind !== STORY_SURFACED.kind) continue;
    const parsed = StorySurfaced.safeParse(o.data);
    if (!parsed.success || !parsed.data.item.title) continue;
    const { item, score } = parsed.data;
    const prior = byHash.get(item.hash);
    if (prior && prior.score >= score.relevance) continue;
    byHash.set(item.hash, {
      title: item.title ?? '',
      link: item.link,
      source: item.feed.title ?? item.feed.id,
      score: score.relevance,
      topics: score.topics,
      why: score.why,
      tags: item.feed.tags,
    });
  }
  return [...byHash.values()].sort((a, b) => b.score - a.score || a.title.localeCompare(b.title));
}
