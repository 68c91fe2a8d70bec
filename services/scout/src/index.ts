export { scoutAgent } from './agent.js';
export { contentHash, FeedItem, ParseFeedInput, ParseFeedOutput, parseFeed } from './skills/parse-feed.js';
export {
  DEFAULT_RUBRIC,
  ScoreHeadlinesInput,
  ScoreHeadlinesOutput,
  scoreHeadlines,
} from './skills/score-headlines.js';
