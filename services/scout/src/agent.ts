import { defineAgent, defineSkill } from '@forge/agent-kit';
import { parseFeedSkill } from './skills/parse-feed.js';
import { scoreHeadlinesSkill } from './skills/score-headlines.js';

/**
 * The scout: reads RSS and Atom feeds and keeps only what is new (`parse-feed`, tool tier), then
 * scores headlines against the operator's relevance rubric (`score-headlines`, small tier).
 */
export const scoutAgent = defineAgent({
  name: 'scout',
  description:
    'Reads news feeds and finds the stories worth a take: parses RSS/Atom and de-duplicates by content ' +
    'hash for $0, then scores headlines against the relevance rubric on a small model.',
  defaultSkill: 'parse-feed',
  skills: [defineSkill(parseFeedSkill), defineSkill(scoreHeadlinesSkill)],
});
