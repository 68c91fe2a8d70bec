import { z } from 'zod';

/** Where a text is going: a social platform, direct marketing (email, SMS), or the web. */
export const Channel = z.enum([
  'x',
  'threads',
  'bluesky',
  'instagram',
  'facebook',
  'linkedin',
  'tiktok',
  'email',
  'sms',
  'blog',
  'web',
]);
export type Channel = z.infer<typeof Channel>;

/** The channels Forge replies on (comments and replies to someone else's post). */
export const ReplyChannel = Channel.extract(['x', 'threads', 'bluesky', 'linkedin', 'instagram', 'facebook']);
export type ReplyChannel = z.infer<typeof ReplyChannel>;
