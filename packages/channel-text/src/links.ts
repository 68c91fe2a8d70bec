/** The length X gives every link, whatever its real length (t.co wrapping). */
export const X_URL_LENGTH = 23;

/** Links as X recognises them: http(s) or www., without trailing sentence punctuation. */
const URL = /\b(?:https?:\/\/|www\.)[^\s<>"']+/gi;
const TRAILING_PUNCTUATION = /[.,!?;:)\]}'"]+$/;

/** A UTF-16 range `[start, end)` in a string. */
export interface Span {
  start: number;
  end: number;
}

/**
 * Each link in `text` with its UTF-16 span, in order, as X finds them: starting `http://`,
 * `https://` or `www.` and running to whitespace, a quote or an angle bracket, less trailing
 * sentence punctuation (`see https://a.example.` links `https://a.example`). A bare `www.`
 * is not a link.
 */
export function findUrls(text: string): Span[] {
  const found: Span[] = [];
  for (const match of text.matchAll(URL)) {
    const url = match[0].replace(TRAILING_PUNCTUATION, '');
    if (url.length > 4) found.push({ start: match.index, end: match.index + url.length });
  }
  return found;
}
