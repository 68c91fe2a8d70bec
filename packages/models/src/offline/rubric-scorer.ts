import { descriptiveTerms, surfaces, terms, words } from './text-terms.js';

/** What the lexical rubric scorer concluded about one item. */
export interface RubricVerdict {
  /**
   * 0..1: how much of the rubric's positive vocabulary the item carries (saturating: 2 terms →
   * 0.5). Terms the rubric gives only to negative labels ("irrelevant: gossip, sports") do not count.
   */
  relevance: number;
  /** Rubric words found in the item, in the item's order, once each, as the item wrote them. */
  matched: string[];
  /** The chosen label, when labels were given. */
  label: string | undefined;
  /** 0..1: how clearly the evidence separates the chosen label from the next; low when thin. */
  confidence: number;
}

/** Labels that mean "no": not relevant, irrelevant, spam, other. */
export const NEGATIVE_LABEL =
  /^(?:(?:not|non|no|un|ir|in)[-_ ]?(?:relevant|related|applicable|interesting)|none|other|irrelevant|unrelated|spam|rejected?|ignore|skip|discard|negative|no|false|off[-_ ]?topic)$/i;

/** A rubric line that opens with a name and a colon: "irrelevant: gossip, sports". */
export const LEAD_NAME = /^\s*[-*•]?\s*([\w -]{1,40}?)\s*:/u;

function phrase(label: string): string {
  return words(label.replace(/[_-]+/g, ' ')).join(' ');
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

interface Vocabulary {
  /** Per label: its name's terms plus the terms of the rubric lines that name it. */
  perLabel: Map<string, Set<string>>;
  /** True when some rubric line names a label. */
  lined: boolean;
  /** Terms found only in lines about negative labels. */
  negative: Set<string>;
}

/**
 * Reads the rubric line by line (and `;` clause by clause). A line naming a label lends its
 * descriptive terms to that label; a line naming "not relevant" lends to that label only, not to
 * "relevant" inside it. A line about a negative label (or opening "irrelevant:") is negative.
 */
function vocabulary(rubric: string, labels: readonly string[]): Vocabulary {
  const phrases = labels.map(phrase);
  const perLabel = new Map(labels.map((label) => [label, new Set(terms(label.replace(/[_-]+/g, ' ')))]));
  const negativeLines = new Set<string>();
  const positiveLines = new Set<string>();
  let lined = false;
  for (const line of rubric.split(/\n|;/)) {
    const text = ` ${words(line).join(' ')} `;
    const hits = labels.filter((_, i) => phrases[i] !== '' && text.includes(` ${phrases[i]} `));
    const own = hits.filter(
      (label) => !hits.some((other) => other !== label && phrase(other).includes(phrase(label))),
    );
    const lineTerms = descriptiveTerms(line);
    for (const label of own) {
      lined = true;
      const set = perLabel.get(label)!;
      for (const term of lineTerms) set.add(term);
    }
    const lead = LEAD_NAME.exec(line)?.[1];
    const negative =
      own.length > 0
        ? own.every((label) => NEGATIVE_LABEL.test(label))
        : lead !== undefined && NEGATIVE_LABEL.test(lead.trim());
    for (const term of lineTerms) (negative ? negativeLines : positiveLines).add(term);
  }
  const negative = new Set([...negativeLines].filter((term) => !positiveLines.has(term)));
  return { perLabel, lined, negative };
}

/**
 * Scores an item against a rubric by term overlap. With labels: the label whose rubric lines
 * share the most terms with the item wins (ties go to the earlier label); when the rubric says
 * nothing per label, the item's relevance picks between positive and negative-sounding labels
 * ("relevant"/"irrelevant"), or along the labels' order (e.g. low, medium, high).
 */
export function scoreRubric(rubric: string, item: string, labels: readonly string[] = []): RubricVerdict {
  const { perLabel, lined, negative } = vocabulary(rubric, labels);
  const labelTerms = new Set(labels.flatMap((label) => terms(label.replace(/[_-]+/g, ' '))));
  const rubricTerms = descriptiveTerms(rubric).filter((term) => !labelTerms.has(term));
  const positive = new Set(rubricTerms.filter((term) => !negative.has(term)));
  const itemTerms = terms(item);
  const itemSet = new Set(itemTerms);
  let overlap = 0;
  for (const term of positive) if (itemSet.has(term)) overlap += 1;
  const relevance = round2(overlap / (overlap + 2));

  const known = new Set([...rubricTerms, ...[...perLabel.values()].flatMap((set) => [...set])]);
  const shown = surfaces(item);
  const matched = [...new Set(itemTerms.filter((term) => known.has(term)))].map(
    (term) => shown.get(term) ?? term,
  );
  const evidence = round2(0.4 + 0.45 * Math.abs(2 * relevance - 1));
  if (labels.length === 0) return { relevance, matched, label: undefined, confidence: evidence };

  const scores = labels.map((label) => {
    let hits = 0;
    for (const term of perLabel.get(label) ?? []) if (itemSet.has(term)) hits += 1;
    return hits;
  });
  const best = Math.max(...scores);
  if (best > 0) {
    const index = scores.indexOf(best);
    const second = Math.max(0, ...scores.filter((_, i) => i !== index));
    const separation = ((best - second) / best) * Math.min(1, best / 3);
    return {
      relevance,
      matched,
      label: labels[index],
      confidence: round2(Math.min(0.9, 0.4 + 0.5 * separation)),
    };
  }
  const negativeLabel = labels.find((label) => NEGATIVE_LABEL.test(label));
  const positiveLabel = labels.find((label) => !NEGATIVE_LABEL.test(label));
  if (lined) {
    // The rubric describes its labels and the item matches none of them.
    return { relevance, matched, label: negativeLabel ?? labels[0], confidence: negativeLabel ? 0.3 : 0.2 };
  }
  if (negativeLabel !== undefined && positiveLabel !== undefined) {
    return { relevance, matched, label: overlap >= 2 ? positiveLabel : negativeLabel, confidence: evidence };
  }
  const index = Math.min(labels.length - 1, Math.floor(relevance * labels.length));
  return { relevance, matched, label: labels[index], confidence: 0.35 };
}
