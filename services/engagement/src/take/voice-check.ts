import {
  CHANNEL_RULES,
  findUrls,
  REPLY_MAX_LENGTH,
  type ReplyChannel,
  textLength,
} from '@forge/channel-text';
import type { VoiceGuide } from '@forge/day';
import { stripOpeners } from '../reply/openers.js';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The voice guide checked in code, whatever the model says it did: within the channel's limit
 * (as the channel counts), no banned phrase (whole words, case-insensitive), no sycophantic
 * opener (built-in list plus the guide's), at most one hashtag, no link other than `allowedLink`.
 * Returns one line per failure, stable ids first (`length`, `banned-phrase`, ...), empty when it passes.
 */
export function checkVoice(
  text: string,
  opts: { voice: VoiceGuide; channel: ReplyChannel; allowedLink?: string | undefined },
): string[] {
  const failures: string[] = [];
  const limit = REPLY_MAX_LENGTH[opts.channel];
  const length = textLength(text, CHANNEL_RULES[opts.channel].counting);
  if (length > limit) failures.push(`length: ${length} characters, the limit on ${opts.channel} is ${limit}`);
  for (const phrase of opts.voice.bannedPhrases) {
    const pattern = new RegExp(
      `(?<![\\p{L}\\p{N}])${escapeRegExp(phrase).replace(/\s+/g, '[\\s-]+')}(?![\\p{L}\\p{N}])`,
      'iu',
    );
    if (pattern.test(text)) failures.push(`banned-phrase: "${phrase}"`);
  }
  const opener = stripOpeners(text, opts.voice.sycophanticOpeners);
  if (opener.removed.length > 0) failures.push(`sycophantic-opener: "${opener.removed[0]}"`);
  const hashtags = text.match(/(?<![\p{L}\p{N}_#])#[\p{L}\p{N}_]+/gu) ?? [];
  if (hashtags.length > 1) failures.push(`hashtags: ${hashtags.length}, at most 1`);
  const links = findUrls(text).map((u) => text.slice(u.start, u.end));
  const stray = links.filter((l) => !opts.allowedLink || !l.startsWith(opts.allowedLink.replace(/\/$/, '')));
  if (stray.length > 0) failures.push(`link: ${stray[0]} is not the story's link`);
  return failures;
}
