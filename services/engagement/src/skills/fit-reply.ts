import { CHANNEL_RULES, REPLY_MAX_LENGTH, ReplyChannel, textLength } from '@forge/channel-text';
import { ForgeError } from '@forge/contracts';
import { z } from 'zod';
import { stripOpeners } from '../reply/openers.js';
import { cutToLimit } from '../reply/truncate.js';

export const FitReplyInput = z.object({
  text: z.string().min(1).max(20_000),
  channel: ReplyChannel.default('x'),
  /** A tighter limit than the channel's (it can never be looser). */
  maxLength: z.number().int().min(10).max(10_000).optional(),
  /** More openers to strip, matched literally and case-insensitively. */
  extraOpeners: z.array(z.string().trim().min(2).max(100)).max(50).default([]),
});
export type FitReplyInput = z.input<typeof FitReplyInput>;

export const FitChange = z.object({
  kind: z.enum(['normalized-unicode', 'whitespace', 'removed-opener', 'deduped-hashtag', 'truncated']),
  detail: z.string(),
});
export type FitChange = z.infer<typeof FitChange>;

export const FitReplyOutput = z.object({
  text: z.string().min(1),
  /** Length as the channel counts it (code points; links as 23 on X). */
  length: z.number().int().nonnegative(),
  limit: z.number().int().positive(),
  changed: z.boolean(),
  changes: z.array(FitChange),
});
export type FitReplyOutput = z.infer<typeof FitReplyOutput>;

// Invisible characters that only hide text; U+200D (ZWJ) stays because emoji sequences need it.
const INVISIBLE = /[\u200B\u2060\uFEFF\u00AD]/g;
const HASHTAG = /(?<![\p{L}\p{N}_#])#[\p{L}\p{N}_]*\p{L}[\p{L}\p{N}_]*/gu;

function normalizeWhitespace(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[^\S\n]+/gu, ' ')
    .replace(/ ?\n ?/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Drops repeated hashtags (case-insensitive), keeping the first; returns the tags dropped. */
function dedupeHashtags(text: string): { text: string; dropped: string[] } {
  const seen = new Set<string>();
  const dropped: string[] = [];
  const out = text.replace(HASHTAG, (tag) => {
    const key = tag.toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      return tag;
    }
    dropped.push(tag);
    return '';
  });
  return { text: dropped.length ? normalizeWhitespace(out.replace(/ +([.,!?;:])/g, '$1')) : text, dropped };
}

/**
 * Makes a draft fit a reply channel, in this order: Unicode NFC and invisible characters,
 * whitespace, sycophantic openers, repeated hashtags, then the length limit (code points; on X
 * each link counts 23), cutting at a sentence, else a word, else a grapheme, never inside a
 * link. Every change is reported. A draft that is nothing but an opener is BAD_INPUT.
 */
export function fitReply(rawInput: FitReplyInput): FitReplyOutput {
  const input = FitReplyInput.parse(rawInput);
  // Reply limits and counting come from @forge/channel-text (LinkedIn 1,250, links as 23 on X).
  const channelLimit = REPLY_MAX_LENGTH[input.channel];
  const limit = Math.min(channelLimit, input.maxLength ?? channelLimit);
  const { counting } = CHANNEL_RULES[input.channel];
  const changes: FitChange[] = [];

  let text = input.text.normalize('NFC').replace(INVISIBLE, '');
  if (text !== input.text)
    changes.push({ kind: 'normalized-unicode', detail: 'NFC, invisible characters removed' });

  const spaced = normalizeWhitespace(text);
  if (spaced !== text)
    changes.push({ kind: 'whitespace', detail: 'collapsed spaces and blank lines, trimmed' });
  text = spaced;

  const stripped = stripOpeners(text, input.extraOpeners);
  for (const opener of stripped.removed) changes.push({ kind: 'removed-opener', detail: opener });
  text = stripped.text.trim();
  if (!text) {
    throw new ForgeError(
      'BAD_INPUT',
      'invalid reply: text: nothing is left after removing its sycophantic opener',
      {
        retryable: false,
        details: { field: 'text', removed: stripped.removed },
      },
    );
  }

  const deduped = dedupeHashtags(text);
  for (const tag of deduped.dropped) changes.push({ kind: 'deduped-hashtag', detail: tag });
  text = deduped.text;

  const before = textLength(text, counting);
  const cut = cutToLimit(text, limit, counting);
  if (cut) {
    text = cut.text;
    changes.push({
      kind: 'truncated',
      detail: `cut at a ${cut.kind} boundary from ${before} to the limit of ${limit}`,
    });
  }
  return {
    text,
    length: textLength(text, counting),
    limit,
    changed: changes.length > 0,
    changes,
  };
}

/** `engagement.fit-reply`: makes a draft fit a channel's constraints. Plain code, $0. */
export const fitReplySkill = {
  id: 'fit-reply',
  name: 'Fit reply',
  description:
    'Fits a reply draft to a channel: normalises whitespace, strips sycophantic openers, dedupes ' +
    'hashtags and cuts to the limit (280 on X, links count 23) at a sentence or word boundary.',
  tags: ['reply', 'format', 'x'],
  examples: ['{"text": "Great point! Routing is the system.", "channel": "x"}'],
  tier: 'tool' as const,
  input: FitReplyInput,
  output: FitReplyOutput,
  handler: async (input: z.output<typeof FitReplyInput>): Promise<FitReplyOutput> => fitReply(input),
};
