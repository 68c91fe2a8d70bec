import type { Channel } from '@forge/channel-text';

/** `block`: must not go out; `review`: a person decides (approval queue). */
export type Severity = 'block' | 'review';

export type RuleCategory = 'cannabis-advertising' | 'brand-safety' | 'format';

/** Named checks that need code rather than one pattern; see `detectors.ts`. */
export type DetectorName = 'email' | 'phone' | 'competitor-disparagement' | 'length' | 'hashtag-count';

interface RuleBase {
  /** Stable kebab-case id; callers and the approval queue match on it. */
  readonly id: string;
  readonly category: RuleCategory;
  readonly severity: Severity;
  /** Why the rule exists, in words a reviewer can act on. */
  readonly why: string;
  /** Only for copy about cannabis (see `CANNABIS_TOPIC`); brand rules apply to everything. */
  readonly cannabisOnly?: boolean;
  /** Never echo the matched text back (personal data, credentials). */
  readonly redactExcerpt?: boolean;
}

/** Fires on every match of `pattern` (global, case-insensitive) in the normalized text. */
export interface PhraseRule extends RuleBase {
  readonly kind: 'phrase';
  readonly pattern: RegExp;
  /** A match is forgiven when the text just before it matches this (anchored with `$`): negations,
   *  "keep out of reach of children". */
  readonly exceptAfter?: RegExp;
}

/** Fires once when the channel requires it and no match of `pattern` is present. */
export interface RequiredRule extends RuleBase {
  readonly kind: 'required';
  readonly pattern: RegExp;
  readonly requiredOn: (channel: Channel) => boolean;
}

export interface DetectorRule extends RuleBase {
  readonly kind: 'detector';
  readonly detector: DetectorName;
}

/** One rule of the policy: data the engine walks, never a branch in code. */
export type Rule = PhraseRule | RequiredRule | DetectorRule;

/**
 * Builds a global, case-insensitive pattern from phrase alternatives. A space in a phrase
 * matches any run of spaces or hyphens ("back to school", "back-to-school") and ` ?` an optional
 * one ("pre ?rolls": preroll, pre-roll, pre roll); each phrase is
 * wrapped in word boundaries. Phrases may use regex syntax for inflections.
 */
export function phrases(...alternatives: string[]): RegExp {
  const body = alternatives.map((p) => p.replace(/ \?/g, '[\\s-]*').replace(/ /g, '[\\s-]+')).join('|');
  return new RegExp(`(?<![\\w$])(?:${body})(?![\\w])`, 'gi');
}

const LEET: Record<string, string> = {
  a: '[a@4*]',
  e: '[e3*]',
  i: '[i1!*]',
  o: '[o0*]',
  u: '[uv*]',
  s: '[s$5]',
};

/** Like {@link phrases} but each vowel or `s` may be masked or swapped (`f*ck`, `sh1t`, `a$$`). */
export function obfuscatable(...words: string[]): RegExp {
  const body = words.map((w) => [...w].map((c) => LEET[c] ?? c).join('')).join('|');
  return new RegExp(`(?<![\\w])(?:${body})(?![\\w])`, 'gi');
}
