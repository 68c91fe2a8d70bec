import { CHANNEL_RULES, type Channel, channelLength, fittingPrefixEnd } from '@forge/channel-text';
import { assertNever } from '@forge/contracts';
import { DISPARAGING } from './brand-rules.js';
import type { DetectorName } from './rule.js';
import type { TextIndex } from './text-index.js';

/** What the detectors know about the text being checked. */
export interface DetectorContext {
  readonly index: TextIndex;
  readonly channel: Channel;
  /** Competitor names as given by the caller. */
  readonly competitors: readonly string[];
  /** Company contacts that may appear: e-mails lower-cased, phones as digits only. */
  readonly allowedEmails: ReadonlySet<string>;
  readonly allowedPhones: ReadonlySet<string>;
}

/** A detector finding, with its span in the original text and an optional sharper reason. */
export interface DetectorHit {
  readonly start: number;
  readonly end: number;
  readonly detail?: string;
}

// Domain labels are matched greedily and the top-level label checked in code: a pattern ending
// in `\.[A-Za-z]{2,}` backtracks polynomially on long dotted runs.
const EMAIL = /(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g;
const TOP_LEVEL = /\.[A-Za-z]{2,}$/;
// Grouped numbers with separators (555-123-4567, (555) 123 4567, +44 20 7946 0958) or `+` and digits.
const PHONE =
  /(?<![\w+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?|\d{2,4}[\s.-])\d{2,4}(?:[\s.-]\d{2,4}){0,2}(?![\w-])|(?<![\w+])\+\d{10,15}(?![\w])/g;
const HASHTAG = /(?<![\w#])#[\p{L}\p{N}_]*\p{L}[\p{L}\p{N}_]*/gu;
const SENTENCE = /[^.!?\n]+[.!?]*/g;

/** Digits only: how phone numbers are compared. */
export function phoneDigits(text: string): string {
  return text.replace(/\D/g, '');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function* matches(pattern: RegExp, text: string): Generator<RegExpMatchArray & { index: number }> {
  for (const m of text.matchAll(pattern)) yield m as RegExpMatchArray & { index: number };
}

function emails(ctx: DetectorContext): DetectorHit[] {
  const hits: DetectorHit[] = [];
  for (const m of matches(EMAIL, ctx.index.normalized)) {
    if (!TOP_LEVEL.test(m[0]) || ctx.allowedEmails.has(m[0].toLowerCase())) continue;
    hits.push(ctx.index.toOriginal(m.index, m.index + m[0].length));
  }
  return hits;
}

function phones(ctx: DetectorContext): DetectorHit[] {
  const hits: DetectorHit[] = [];
  for (const m of matches(PHONE, ctx.index.normalized)) {
    const digits = phoneDigits(m[0]);
    // Fewer than 10 digits is a date, a time, a price or a batch number, not a reachable phone.
    if (digits.length < 10 || digits.length > 15) continue;
    if (ctx.allowedPhones.has(digits) || ctx.allowedPhones.has(digits.slice(-10))) continue;
    hits.push(ctx.index.toOriginal(m.index, m.index + m[0].length));
  }
  return hits;
}

function disparagement(ctx: DetectorContext): DetectorHit[] {
  const names = ctx.competitors.map((c) => c.trim()).filter((c) => c.length > 1);
  if (names.length === 0) return [];
  const competitor = new RegExp(
    `(?<![\\w])(?:${names.map((n) => escapeRegExp(n).replace(/\s+/g, '\\s+')).join('|')})(?![\\w])`,
    'i',
  );
  const hits: DetectorHit[] = [];
  for (const s of matches(SENTENCE, ctx.index.normalized)) {
    const who = competitor.exec(s[0]);
    DISPARAGING.lastIndex = 0;
    const what = DISPARAGING.exec(s[0]);
    if (!who || !what) continue;
    const lead = s[0].length - s[0].trimStart().length;
    const span = ctx.index.toOriginal(s.index + lead, s.index + s[0].trimEnd().length);
    hits.push({ ...span, detail: `"${what[0]}" in the same sentence as competitor "${who[0]}"` });
  }
  return hits;
}

function length(ctx: DetectorContext): DetectorHit[] {
  const { maxLength: max, counting } = CHANNEL_RULES[ctx.channel];
  const text = ctx.index.original;
  if (max === null) return [];
  const counted = channelLength(text, ctx.channel);
  if (counted <= max) return [];
  // The span is the overflow: everything past the longest prefix that fits.
  const start = fittingPrefixEnd(text, counting, max);
  return [
    { start, end: text.length, detail: `${counted} characters, the limit on ${ctx.channel} is ${max}` },
  ];
}

function hashtags(ctx: DetectorContext): DetectorHit[] {
  const max = CHANNEL_RULES[ctx.channel].maxHashtags;
  if (max === null) return [];
  const tags = [...matches(HASHTAG, ctx.index.normalized)];
  const first = tags[max];
  if (!first) return [];
  const last = tags.at(-1)!;
  const span = ctx.index.toOriginal(first.index, last.index + last[0].length);
  return [{ ...span, detail: `${tags.length} hashtags, the limit on ${ctx.channel} is ${max}` }];
}

/** Runs one named detector. */
export function runDetector(name: DetectorName, ctx: DetectorContext): DetectorHit[] {
  switch (name) {
    case 'email':
      return emails(ctx);
    case 'phone':
      return phones(ctx);
    case 'competitor-disparagement':
      return disparagement(ctx);
    case 'length':
      return length(ctx);
    case 'hashtag-count':
      return hashtags(ctx);
    default:
      return assertNever(name, 'detector');
  }
}
