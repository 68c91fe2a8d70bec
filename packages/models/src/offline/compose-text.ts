import { keySentences, rankSentences } from './extractive.js';
import type { LengthHint } from './length-hint.js';
import { clip, sentences } from './text-terms.js';

/** Sentences picked when the prompt states no limit. */
const DEFAULT_SENTENCES = { summarize: 3, extract: 3, draft: 2 } as const;

/** Applies a length hint: sentences first, then words, then characters (whole sentences, else cut at a word). */
export function fitLength(text: string, hint: LengthHint): string {
  let out = text;
  if (hint.maxSentences !== undefined) out = sentences(out).slice(0, hint.maxSentences).join(' ');
  if (hint.maxWords !== undefined) {
    const list = out.split(/\s+/).filter(Boolean);
    if (list.length > hint.maxWords) out = list.slice(0, hint.maxWords).join(' ');
  }
  if (hint.maxChars !== undefined && out.length > hint.maxChars) {
    // Whole sentences while they fit; a first sentence too long on its own is cut at a word.
    const kept: string[] = [];
    let length = 0;
    for (const sentence of sentences(out)) {
      const next = length + (kept.length > 0 ? 1 : 0) + sentence.length;
      if (next > hint.maxChars) break;
      kept.push(sentence);
      length = next;
    }
    out = kept.length > 0 ? kept.join(' ') : clip(out, hint.maxChars);
  }
  return out;
}

/**
 * Offline text from the input alone, never invented: `summarize`/`extract` give the input's key
 * sentences in reading order; `draft` fills a lead-then-support template: the strongest
 * sentence first, then the next key sentence(s). Both respect the prompt's length hint.
 */
export function composeText(source: string, hint: LengthHint, mode: keyof typeof DEFAULT_SENTENCES): string {
  const count = hint.maxSentences ?? DEFAULT_SENTENCES[mode];
  if (mode !== 'draft') return fitLength(keySentences(source, count).join(' '), hint);
  // The template: the strongest sentence leads, the next ones support it in reading order.
  const [lead, ...support] = rankSentences(source).slice(0, count);
  if (lead === undefined) return '';
  const rest = support.sort((a, b) => a.index - b.index).map((ranked) => ranked.text);
  return fitLength([lead.text, ...rest].join(' '), hint);
}
