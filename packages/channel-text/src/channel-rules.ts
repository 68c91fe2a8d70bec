import type { Channel, ReplyChannel } from './channel.js';

/**
 * How a channel counts a text against its limit. `code-points`: Unicode code points (an emoji
 * made of a surrogate pair counts once). `x`: code points with every link counted as 23 (t.co
 * wrapping), whatever its real length.
 */
export type ChannelCounting = 'x' | 'code-points';

/** What a platform accepts for a post, as it counts. */
export interface ChannelRule {
  /** Longest post accepted, in the channel's counting; null where the channel sets none. */
  readonly maxLength: number | null;
  readonly counting: ChannelCounting;
  /** The platform refuses more hashtags than this; null for no limit. */
  readonly maxHashtags: number | null;
}

/**
 * The one table of channel limits. Values are the platforms' published maxima for a post
 * (SMS: ten concatenated segments); email, blog and web set none. Policy on top (compliance's
 * 21+ line, marketing's house ceilings on long-form copy) lives with its service.
 */
export const CHANNEL_RULES: Readonly<Record<Channel, ChannelRule>> = {
  x: { maxLength: 280, counting: 'x', maxHashtags: null },
  threads: { maxLength: 500, counting: 'code-points', maxHashtags: null },
  bluesky: { maxLength: 300, counting: 'code-points', maxHashtags: null },
  instagram: { maxLength: 2200, counting: 'code-points', maxHashtags: 30 },
  facebook: { maxLength: 63_206, counting: 'code-points', maxHashtags: null },
  linkedin: { maxLength: 3000, counting: 'code-points', maxHashtags: null },
  tiktok: { maxLength: 2200, counting: 'code-points', maxHashtags: null },
  email: { maxLength: null, counting: 'code-points', maxHashtags: null },
  sms: { maxLength: 1600, counting: 'code-points', maxHashtags: null },
  blog: { maxLength: null, counting: 'code-points', maxHashtags: null },
  web: { maxLength: null, counting: 'code-points', maxHashtags: null },
};

/**
 * Longest reply (comment) each reply channel accepts, counted as its {@link CHANNEL_RULES} entry
 * says. Lower than the post limit where the platform limits comments more (LinkedIn 1,250,
 * Facebook 8,000).
 */
export const REPLY_MAX_LENGTH: Readonly<Record<ReplyChannel, number>> = {
  x: 280,
  threads: 500,
  bluesky: 300,
  linkedin: 1250,
  instagram: 2200,
  facebook: 8000,
};
