import {
  type ChannelCounting,
  codePointLength,
  findUrls,
  type Span,
  textLength,
  X_URL_LENGTH,
} from '@forge/channel-text';

export type CutKind = 'sentence' | 'word' | 'grapheme';

export interface Cut {
  text: string;
  kind: CutKind;
}

const ELLIPSIS = '…';
/** A sentence cut is taken when it keeps at least this share of the limit; else words are cut. */
const MIN_SENTENCE_SHARE = 0.6;
const SENTENCE_END = /[.!?\u2026]["')\]\u201D\u2019]*$/u;

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });
const sentences = new Intl.Segmenter('en', { granularity: 'sentence' });

/** Units the cut may not split: a whole link, or one grapheme cluster (emoji sequences, flags, accents). */
function units(text: string, urls: readonly Span[]): { end: number; length: number }[] {
  const out: { end: number; length: number }[] = [];
  let next = 0;
  for (const { index, segment } of graphemes.segment(text)) {
    const url = urls[next];
    if (url && index >= url.start && index < url.end) {
      if (index + segment.length >= url.end) {
        out.push({ end: url.end, length: X_URL_LENGTH });
        next++;
      }
      continue;
    }
    out.push({ end: index + segment.length, length: codePointLength(segment) });
  }
  return out;
}

function trimForEllipsis(text: string): string {
  return text.replace(/[\s,;:\u2014\u2013-]+$/u, '');
}

/**
 * Cuts `text` so its length, counted the `counting` way, is at most `limit`. Prefers the last sentence end that keeps at
 * least 60% of the limit (no ellipsis needed); otherwise the last space before the limit, leaving
 * room for an ellipsis; a single overlong word is cut between grapheme clusters. Links and grapheme
 * clusters are never split, and a link that does not fit is dropped whole.
 * Returns null when `text` already fits.
 */
export function cutToLimit(text: string, limit: number, counting: ChannelCounting): Cut | null {
  if (textLength(text, counting) <= limit) return null;
  const urls = counting === 'x' ? findUrls(text) : [];
  const inUrl = (offset: number) => urls.some((u) => offset > u.start && offset < u.end);

  let bestSentence = 0;
  for (const { index, segment } of sentences.segment(text)) {
    const end = index + segment.trimEnd().length;
    if (end === 0 || inUrl(end)) continue;
    if (textLength(text.slice(0, end), counting) > limit) break;
    // A real sentence end: terminal punctuation, or a line break right after it.
    if (SENTENCE_END.test(text.slice(0, end)) || text.charAt(end) === '\n') bestSentence = end;
  }
  if (bestSentence > 0 && textLength(text.slice(0, bestSentence), counting) >= limit * MIN_SENTENCE_SHARE) {
    return { text: text.slice(0, bestSentence), kind: 'sentence' };
  }

  // Longest run of whole units that leaves room for the ellipsis.
  let used = 0;
  let fitEnd = 0;
  for (const unit of units(text, urls)) {
    if (used + unit.length > limit - 1) break;
    used += unit.length;
    fitEnd = unit.end;
  }
  const head = text.slice(0, fitEnd);
  // At a space the head is whole words; otherwise drop the partial word after the last space.
  const wordEnd = /\s/u.test(text.charAt(fitEnd)) ? fitEnd : head.search(/\s\S*$/u);
  const words = wordEnd > 0 ? trimForEllipsis(head.slice(0, wordEnd)) : '';
  // Words that already end a sentence need no ellipsis.
  if (words) return { text: SENTENCE_END.test(words) ? words : `${words}${ELLIPSIS}`, kind: 'word' };
  return { text: `${head}${ELLIPSIS}`, kind: 'grapheme' };
}
