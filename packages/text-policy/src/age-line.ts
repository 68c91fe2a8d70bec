import type { Channel } from '@forge/channel-text';

/**
 * Channels where cannabis copy must carry a 21+ line: every social platform and direct
 * marketing, following the common state rule that cannabis advertising reaching a general
 * audience states 21+. The operator's own blog and website are exempt. Length and hashtag
 * limits are the platforms' and come from `@forge/channel-text`.
 */
export const AGE_LINE_REQUIRED: Readonly<Record<Channel, boolean>> = {
  x: true,
  threads: true,
  bluesky: true,
  instagram: true,
  facebook: true,
  linkedin: true,
  tiktok: true,
  email: true,
  sms: true,
  blog: false,
  web: false,
};
