import { z } from 'zod';

/** Where a text is going. Each has its own length rule and whether cannabis copy needs an age line. */
export const Channel = z.enum([
  'x',
  'threads',
  'bluesky',
  'instagram',
  'facebook',
  'linkedin',
  'tiktok',
  'email',
  'sms',
  'blog',
  'web',
]);
export type Channel = z.infer<typeof Channel>;

export interface ChannelPolicy {
  /** Longest accepted text, or null for none. */
  readonly maxLength: number | null;
  /** `x`: code points with every URL counted as 23 (t.co); `code-points`: plain code points. */
  readonly counting: 'x' | 'code-points';
  /** Cannabis copy here must carry a 21+ line (social platforms and direct marketing). */
  readonly ageLineRequired: boolean;
  /** The platform refuses more hashtags than this; null for no limit. */
  readonly maxHashtags: number | null;
}

/**
 * The channel table. Limits are the platforms' published maxima; the age-line column follows
 * the common state rule that cannabis advertising reaching a general audience states 21+.
 */
export const CHANNELS: Readonly<Record<Channel, ChannelPolicy>> = {
  x: { maxLength: 280, counting: 'x', ageLineRequired: true, maxHashtags: null },
  threads: { maxLength: 500, counting: 'code-points', ageLineRequired: true, maxHashtags: null },
  bluesky: { maxLength: 300, counting: 'code-points', ageLineRequired: true, maxHashtags: null },
  instagram: { maxLength: 2200, counting: 'code-points', ageLineRequired: true, maxHashtags: 30 },
  facebook: { maxLength: 63_206, counting: 'code-points', ageLineRequired: true, maxHashtags: null },
  linkedin: { maxLength: 3000, counting: 'code-points', ageLineRequired: true, maxHashtags: null },
  tiktok: { maxLength: 2200, counting: 'code-points', ageLineRequired: true, maxHashtags: null },
  email: { maxLength: null, counting: 'code-points', ageLineRequired: true, maxHashtags: null },
  sms: { maxLength: 1600, counting: 'code-points', ageLineRequired: true, maxHashtags: null },
  blog: { maxLength: null, counting: 'code-points', ageLineRequired: false, maxHashtags: null },
  web: { maxLength: null, counting: 'code-points', ageLineRequired: false, maxHashtags: null },
};

/** X's t.co length for any link. */
export const X_URL_LENGTH = 23;

/** Links as X recognises them: http(s) or www., without trailing sentence punctuation. */
const URL = /\b(?:https?:\/\/|www\.)[^\s<>"']+/gi;
const TRAILING_PUNCTUATION = /[.,!?;:)\]}'"]+$/;

/** Each link in `text` with its UTF-16 span. */
export function findUrls(text: string): { start: number; end: number }[] {
  const found: { start: number; end: number }[] = [];
  for (const match of text.matchAll(URL)) {
    const url = match[0].replace(TRAILING_PUNCTUATION, '');
    if (url.length > 4) found.push({ start: match.index, end: match.index + url.length });
  }
  return found;
}

function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** The length a channel counts: code points, and on X each link as 23. */
export function channelLength(text: string, channel: Channel): number {
  if (CHANNELS[channel].counting === 'code-points') return codePoints(text);
  let length = 0;
  let cursor = 0;
  for (const url of findUrls(text)) {
    length += codePoints(text.slice(cursor, url.start)) + X_URL_LENGTH;
    cursor = url.end;
  }
  return length + codePoints(text.slice(cursor));
}

/**
 * The UTF-16 offset where the longest prefix of `text` that fits `max` on `channel` ends.
 * A link counts whole or not at all, and a code point is never split.
 */
export function fittingPrefixEnd(text: string, channel: Channel, max: number): number {
  const urls = CHANNELS[channel].counting === 'x' ? findUrls(text) : [];
  let length = 0;
  let offset = 0;
  let next = 0;
  while (offset < text.length) {
    const url = urls[next];
    if (url && url.start === offset) {
      if (length + X_URL_LENGTH > max) return offset;
      length += X_URL_LENGTH;
      offset = url.end;
      next++;
      continue;
    }
    if (length + 1 > max) return offset;
    length += 1;
    offset += (text.codePointAt(offset) ?? 0) > 0xffff ? 2 : 1;
  }
  return offset;
}
