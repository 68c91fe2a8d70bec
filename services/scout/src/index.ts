export { scoutAgent } from './agent.js';
export { canonicalLink, resolveUrl } from './feed/canonical-link.js';
export { decodeEntities } from './feed/entities.js';
export { charsetOf, decodeFeedBody } from './feed/feed-body.js';
export { parseFeedDate } from './feed/feed-date.js';
export { type FeedDocument, type FeedEntry, type FeedFormat, readFeedText } from './feed/feed-reader.js';
export { collapseWhitespace, htmlToText, truncateText } from './feed/html-text.js';
export { contentHash, FeedItem, ParseFeedInput, ParseFeedOutput, parseFeed } from './skills/parse-feed.js';
export {
  DEFAULT_RUBRIC,
  ScoreHeadlinesInput,
  ScoreHeadlinesOutput,
  scoreHeadlines,
} from './skills/score-headlines.js';
