/** The length X gives every link, whatever its real length (t.co wrapping). */
export const X_URL_LENGTH = 23;

/** Links as X recognises them: http(s) or www., without trailing sentence punctuation. */
const URL = /\b(?:https?:\/\/|www\.)[^\s<>"']+/gi;
const TRAILING_PUNCTUATION = /[.,!?;:)\]}'"]+$/;

export interface Span {
  start: number;
  end: number;
}

/** Each link in `text` with its UTF-16 span, in order. */
export function findUrls(text: string): Span[] {
  const found: Span[] = [];
  for (const match of text.matchAll(URL)) {
    const url = match[0].replace(TRAILING_PUNCTUATION, '');
    if (url.length > 4) found.push({ start: match.index, end: match.index + url.length });
  }
  return found;
}

/** Unicode code points in `text` (a surrogate pair counts once). */
export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/**
 * The length a post counts against its limit: code points, with each link counted as 23 when
 * `countUrlsAs23` (X, and what X-style clients show); otherwise plain code points.
 */
export function postLength(text: string, countUrlsAs23: boolean): number {
  if (!countUrlsAs23) return codePointLength(text);
  let length = 0;
  let cursor = 0;
  for (const url of findUrls(text)) {
    length += codePointLength(text.slice(cursor, url.start)) + X_URL_LENGTH;
    cursor = url.end;
  }
  return length + codePointLength(text.slice(cursor));
}
