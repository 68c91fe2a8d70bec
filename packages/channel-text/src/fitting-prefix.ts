import type { ChannelCounting } from './channel-rules.js';
import { findUrls, X_URL_LENGTH } from './links.js';

/**
 * The UTF-16 offset where the longest prefix of `text` whose length, counted the `counting`
 * way, is at most `max` ends. A link counts whole or not at all (under `x`), and a code point is
 * never split. `text.slice(0, end)` always fits; `text.slice(end)` is the overflow (empty when
 * all of `text` fits).
 */
export function fittingPrefixEnd(text: string, counting: ChannelCounting, max: number): number {
  const urls = counting === 'x' ? findUrls(text) : [];
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
