import { decodeEntities } from './entities.js';

const COMMENT = /<!--[\s\S]*?(?:-->|$)/g;
const INVISIBLE = /<(script|style|noscript|template)\b[^>]*>[\s\S]*?(?:<\/\1\s*>|$)/gi;
/** Tags whose edges separate words: `<p>a</p><p>b</p>` is "a b", not "ab". */
const BLOCK_TAG =
  /<\/?(?:address|article|aside|blockquote|br|dd|div|dl|dt|figcaption|figure|footer|h[1-6]|header|hr|li|main|nav|ol|p|pre|section|table|td|th|tr|ul)\b[^>]*>/gi;
/** Any other tag. A `<` not followed by a letter, `/` or `!` is text ("a < b") and stays. */
const TAG = /<\/?[A-Za-z][^>]*>|<![^>]*>/g;
const WHITESPACE = /[\s\u00A0\u2000-\u200B\u2028\u2029\u3000]+/g;

/** Collapses runs of whitespace (including no-break and ideographic spaces) to one space and trims. */
export function collapseWhitespace(text: string): string {
  return text.replace(WHITESPACE, ' ').trim();
}

/**
 * Plain text from an HTML fragment as feeds carry it (escaped or in CDATA): drops comments,
 * scripts and styles, turns block boundaries into spaces, removes the remaining tags, decodes
 * entities and collapses whitespace. Not a sanitizer: the result is text, never markup.
 */
export function htmlToText(html: string): string {
  const withoutMarkup = html
    .replace(COMMENT, ' ')
    .replace(INVISIBLE, ' ')
    .replace(BLOCK_TAG, ' ')
    .replace(TAG, '');
  return collapseWhitespace(decodeEntities(withoutMarkup));
}

/**
 * Cuts `text` to at most `max` code points, at a word boundary when one lies in the last
 * third, marking the cut with an ellipsis (which counts toward `max`).
 */
export function truncateText(text: string, max: number): string {
  const points = Array.from(text);
  if (points.length <= max) return text;
  const head = points.slice(0, Math.max(0, max - 1)).join('');
  const lastSpace = head.lastIndexOf(' ');
  const cut = lastSpace >= (head.length * 2) / 3 ? head.slice(0, lastSpace) : head;
  return `${cut.replace(/[\s,;:.-]+$/, '')}…`;
}
