import { type AgentDefinition, defineAgent, defineSkill } from '@forge/agent-kit';
import { ForgeError } from '@forge/contracts';
import type { ScoutRepository } from '@forge/store';
import type { FeedsConfig } from './feeds-config.js';
import type { FeedFetchResult, FetchFeedOptions } from './fetch/fetch-feed.js';
import { fetchFeedsSkill } from './skills/fetch-feeds.js';
import { parseFeedSkill } from './skills/parse-feed.js';
import { recentItemsSkill } from './skills/recent-items.js';
import { scoreHeadlinesSkill } from './skills/score-headlines.js';
import { scoreNewSkill } from './skills/score-new.js';

/** What the scout's stateful skills run against. */
export interface ScoutDeps {
  feeds: FeedsConfig;
  repo: ScoutRepository;
  /** The HTTP client; tests pass their own. */
  fetch?: (url: string, options: FetchFeedOptions) => Promise<FeedFetchResult>;
}

/**
 * The scout: fetches the configured feeds and keeps what is new (`fetch-feeds`, tool tier), scores
 * it against the relevance rubric (`score-new`, small tier) and surfaces the best to engagement;
 * `parse-feed` and `score-headlines` do the same for a document or headlines a caller brings, and
 * `recent-items` lists what was found (competitor moves for marketing). Without `deps` (cards,
 * manifests) the stateful skills fail with UNAVAILABLE.
 */
export function createScoutAgent(deps?: ScoutDeps): AgentDefinition {
  const wired = (): ScoutDeps => {
    if (deps) return deps;
    throw new ForgeError('UNAVAILABLE', 'the scout runs without its feeds config and Postgres here', {
      retryable: false,
    });
  };
  return defineAgent({
    name: 'scout',
    description:
      'Reads news and competitor feeds and finds the stories worth a take: fetches RSS, Atom and JSON ' +
      'feeds and de-duplicates by content hash for $0, then scores new headlines against the relevance ' +
      'rubric on a small model and surfaces the best to the engagement agent.',
    defaultSkill: 'fetch-feeds',
    skills: [
      defineSkill(fetchFeedsSkill(wired)),
      defineSkill(scoreNewSkill(wired)),
      defineSkill(recentItemsSkill(() => wired().repo)),
      defineSkill(parseFeedSkill),
      defineSkill(scoreHeadlinesSkill),
    ],
  });
}

/** The scout's definition for cards and manifests (its stateful skills need `createScoutAgent(deps)`). */
export const scoutAgent = createScoutAgent();
