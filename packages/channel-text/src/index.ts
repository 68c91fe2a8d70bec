export { Channel, ReplyChannel } from './channel.js';
export { CHANNEL_RULES, type ChannelCounting, type ChannelRule, REPLY_MAX_LENGTH } from './channel-rules.js';
export { fittingPrefixEnd } from './fitting-prefix.js';
export { findUrls, type Span, X_URL_LENGTH } from './links.js';
export { channelLength, codePointLength, textLength } from './text-length.js';
