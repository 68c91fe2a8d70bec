export { createScoutAgent, type ScoutDeps, scoutAgent } from './agent.js';
export {
  DEFAULT_FEEDS_CONFIG_PATH,
  loadScoutConfig,
  SCOUT_ENV_VARIABLES,
  type ScoutConfig,
} from './config.js';
export { canonicalLink, resolveUrl } from './feed/canonical-link.js';
export { decodeEntities } from './feed/entities.js';
export { charsetOf, decodeFeedBody } from './feed/feed-body.js';
export { parseFeedDate } from './feed/feed-date.js';
export { type FeedDocument, type FeedEntry, type FeedFormat, readFeedText } from './feed/feed-reader.js';
export { collapseWhitespace, htmlToText, truncateText } from './feed/html-text.js';
export { FeedsConfig, loadFeedsConfig } from './feeds-config.js';
export { type FeedFetchResult, type FetchFeedOptions, fetchFeed } from './fetch/fetch-feed.js';
export { createScoutService, type ScoutService } from './scout-service.js';
export { FetchFeedsInput, FetchFeedsOutput, fetchFeeds } from './skills/fetch-feeds.js';
export { contentHash, FeedItem, ParseFeedInput, ParseFeedOutput, parseFeed } from './skills/parse-feed.js';
export { RecentItemsInput, RecentItemsOutput } from './skills/recent-items.js';
export {
  DEFAULT_RUBRIC,
  ScoreHeadlinesInput,
  ScoreHeadlinesOutput,
  scoreHeadlines,
} from './skills/score-headlines.js';
export { ScoreNewInput, ScoreNewOutput, scoreNew } from './skills/score-new.js';
