import type { Channel } from './channel.js';
import { CHANNEL_RULES, type ChannelCounting } from './channel-rules.js';
import { findUrls, X_URL_LENGTH } from './links.js';

/** Unicode code points in `text` (a surrogate pair counts once; a ZWJ emoji sequence counts each part). */
export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** The length of `text` counted the `counting` way: code points, and under `x` each link as 23. */
export function textLength(text: string, counting: ChannelCounting): number {
  if (counting === 'code-points') return codePointLength(text);
  let length = 0;
  let cursor = 0;
  for (const url of findUrls(text)) {
    length += codePointLength(text.slice(cursor, url.start)) + X_URL_LENGTH;
    cursor = url.end;
  }
  return length + codePointLength(text.slice(cursor));
}

/** The length `channel` counts for `text`, to compare with its limit in {@link CHANNEL_RULES}. */
export function channelLength(text: string, channel: Channel): number {
  return textLength(text, CHANNEL_RULES[channel].counting);
}
