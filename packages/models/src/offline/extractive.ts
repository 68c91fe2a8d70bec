import { sentences, surfaces, termCounts, terms } from './text-terms.js';

export interface RankedSentence {
  text: string;
  /** Position in the source, so picks can be put back in reading order. */
  index: number;
  score: number;
}

/**
 * Ranks a text's sentences by how much of the text's frequent vocabulary each carries: the sum
 * of its distinct terms' frequencies over the square root of its length, with a small bonus for
 * the lead sentence. Best first; ties keep reading order.
 */
export function rankSentences(text: string): RankedSentence[] {
  const all = sentences(text);
  const counts = termCounts(terms(text));
  return all
    .map((sentence, index) => {
      const own = new Set(terms(sentence));
      let sum = 0;
      for (const term of own) sum += counts.get(term) ?? 0;
      const score = (own.size === 0 ? 0 : sum / Math.sqrt(own.size)) * (index === 0 ? 1.1 : 1);
      return { text: sentence, index, score };
    })
    .sort((a, b) => b.score - a.score || a.index - b.index);
}

/** The `count` best sentences, in reading order. */
export function keySentences(text: string, count: number): string[] {
  return rankSentences(text)
    .slice(0, Math.max(0, count))
    .sort((a, b) => a.index - b.index)
    .map((ranked) => ranked.text);
}

/**
 * The text's most frequent terms, most frequent first, ties in order of first appearance; each
 * shown as the word it first came from.
 */
export function topTerms(text: string, count: number): string[] {
  const counts = termCounts(terms(text));
  const shown = surfaces(text);
  return [...counts.entries()]
    .map(([term, n], order) => ({ term, n, order }))
    .sort((a, b) => b.n - a.n || a.order - b.order)
    .slice(0, Math.max(0, count))
    .map((entry) => shown.get(entry.term) ?? entry.term);
}
