import { composeText } from './compose-text.js';
import { keySentences, topTerms } from './extractive.js';
import type { LengthHint } from './length-hint.js';
import type { MessageItem } from './message-items.js';
import { type RubricVerdict, scoreRubric } from './rubric-scorer.js';
import { matchTopics, type RubricTopic } from './rubric-topics.js';
import { clip } from './text-terms.js';

/** What the schema filler draws values from; all of it derived from the prompt, deterministically. */
export interface FillSources {
  /** The rubric verdict for a set of labels (an empty set: relevance only). */
  verdict(labels: readonly string[]): RubricVerdict;
  /** The composed text for the call's purpose (summary, draft, key sentences). */
  text: string;
  /** The input's key sentences, reading order. */
  sentences: string[];
  /** The input's most frequent terms. */
  topTerms: string[];
  /** The raw input, for values found verbatim (dates, e-mails, URLs), attributes included. */
  source: string;
  /** The rubric's topic names and those the input touches; undefined when the rubric lists none. */
  topics: { all: string[]; matched: string[] } | undefined;
  /** The items the message carries for per-item answers; empty inside an item's own scope. */
  items: readonly MessageItem[];
  /** The same sources, narrowed to one item. */
  forItem(item: MessageItem): FillSources;
}

export interface FillInput {
  /** The system prompt: the rubric for classification. */
  rubric: string;
  topics: readonly RubricTopic[];
  /** The message's material, markup and instructions removed. */
  content: string;
  /** The message as sent. */
  raw: string;
  hint: LengthHint;
  mode: 'draft' | 'summarize' | 'extract';
  items: readonly MessageItem[];
}

/** One item's free-text fields are a line about it, not a passage: this many characters at most. */
const ITEM_TEXT_MAX = 160;

/**
 * Builds the filler's sources from a prompt. Rubric verdicts are computed once per label set.
 * An item's own sources score and quote that item alone, in one sentence.
 */
export function fillSources(input: FillInput): FillSources {
  const verdicts = new Map<string, RubricVerdict>();
  const names = input.topics.map((topic) => topic.name);
  return {
    verdict(labels) {
      const key = labels.join('\u0000');
      let found = verdicts.get(key);
      if (!found) {
        found = scoreRubric(input.rubric, input.content, labels);
        verdicts.set(key, found);
      }
      return found;
    },
    text: composeText(input.content, input.hint, input.mode),
    sentences: keySentences(input.content, input.hint.maxSentences ?? 3),
    topTerms: topTerms(input.content, 5),
    source: input.raw,
    topics: names.length > 0 ? { all: names, matched: matchTopics(input.topics, input.content) } : undefined,
    items: input.items,
    forItem(item) {
      const hint = { ...input.hint, maxSentences: 1 };
      const scoped = fillSources({ ...input, content: item.text, raw: item.raw, hint, items: [] });
      return { ...scoped, text: clip(scoped.text, ITEM_TEXT_MAX) };
    },
  };
}
