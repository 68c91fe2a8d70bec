/**
 * The lexical ground the offline provider stands on: words reduced to comparable terms, and
 * text cut into sentences. Deterministic: the same text always gives the same terms in the
 * same order.
 */

const STOPWORDS = new Set(
  (
    'a about above after again against all am an and any are as at be because been before being below ' +
    'between both but by can could did do does doing down during each few for from further had has have ' +
    'having he her here hers herself him himself his how i if in into is it its itself just me more most ' +
    'my myself no nor not now of off on once only or other our ours ourselves out over own same she should ' +
    'so some such than that the their theirs them themselves then there these they this those through to ' +
    'too under until up very was we were what when where which while who whom why will with would you your ' +
    'yours yourself yourselves also may might must shall us via per within without etc ie eg'
  ).split(' '),
);

/**
 * Words that instruct rather than describe: they appear in every rubric prompt ("score each
 * headline for relevance, return JSON") and say nothing about an item. Kept as stems (`stem`
 * is a hoisted declaration below).
 */
const INSTRUCTION_WORDS = new Set(
  (
    'score scores scoring rate rating rank classify classification label labels categor category ' +
    'categories item items text input output json answer return respond reply field fields schema ' +
    'following given provide use using based decide judge assess evaluate consider whether ' +
    'confidence reason reasoning explain explanation number between one two three zero ten ' +
    'high low medium rubric criteria criterion headline headlines message messages post posts ' +
    'example examples task user assistant system please must should only each every'
  )
    .split(' ')
    .map((word) => stem(word)),
);

/** A light suffix-stripper, enough that "regulations" meets "regulation" and "licensing" meets "licensed". */
export function stem(word: string): string {
  if (word.length <= 4) return word;
  if (word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.endsWith('ing') && word.length > 6) return word.slice(0, -3);
  if (word.endsWith('ed') && word.length > 5) return word.slice(0, -2);
  if (word.endsWith('es') && /(?:ss|x|ch|sh)es$/.test(word)) return word.slice(0, -2);
  if (word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

/** Lower-cased words of letters and digits, in order, stopwords kept. */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu) ?? [];
}

/** Content terms of a text, stemmed, in order of appearance (with repeats). */
export function terms(text: string): string[] {
  const out: string[] = [];
  for (const word of words(text)) {
    if (word.length < 2 || STOPWORDS.has(word) || /^\d+$/.test(word)) continue;
    out.push(stem(word));
  }
  return out;
}

/** Each content term with the word it first came from, lower-cased, for showing terms to people. */
export function surfaces(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const word of words(text)) {
    if (word.length < 2 || STOPWORDS.has(word) || /^\d+$/.test(word)) continue;
    const term = stem(word);
    if (!out.has(term)) out.set(term, word);
  }
  return out;
}

/** Content terms that describe rather than instruct. */
export function descriptiveTerms(text: string): string[] {
  return terms(text).filter((term) => !INSTRUCTION_WORDS.has(term));
}

/**
 * Sentences: split after `.`, `!` or `?` followed by space, and at line breaks; list markers and
 * surrounding space trimmed, empty pieces dropped.
 */
export function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|\n+/u)
    .map((piece) => piece.replace(/^\s*(?:[-*•]|\d+[.)])\s+/u, '').trim())
    .filter((piece) => piece.length > 0);
}

/** How often each term occurs. */
export function termCounts(list: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const term of list) counts.set(term, (counts.get(term) ?? 0) + 1);
  return counts;
}

/** Cuts text to at most `max` characters at a word boundary, never mid-word when a boundary exists. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  const cut = text.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return (space > 0 ? cut.slice(0, space) : cut).replace(/[\s,;:–-]+$/u, '');
}
