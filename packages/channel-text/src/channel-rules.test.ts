import { describe, expect, it } from 'vitest';
import { Channel, ReplyChannel } from './channel.js';
import { CHANNEL_RULES, REPLY_MAX_LENGTH } from './channel-rules.js';

describe('CHANNEL_RULES', () => {
  it('pins the platform limits the services rely on', () => {
    expect(Channel.options.map((c) => `${c} ${CHANNEL_RULES[c].maxLength}`)).toEqual([
      'x 280',
      'threads 500',
      'bluesky 300',
      'instagram 2200',
      'facebook 63206',
      'linkedin 3000',
      'tiktok 2200',
      'email null',
      'sms 1600',
      'blog null',
      'web null',
    ]);
    expect(CHANNEL_RULES.instagram.maxHashtags).toBe(30);
    expect(Channel.options.filter((c) => CHANNEL_RULES[c].maxHashtags !== null)).toEqual(['instagram']);
  });

  it('counts links as 23 on X only', () => {
    expect(Channel.options.filter((c) => CHANNEL_RULES[c].counting === 'x')).toEqual(['x']);
  });

  it('gives each reply channel a reply limit no longer than its post limit', () => {
    expect(ReplyChannel.options.map((c) => `${c} ${REPLY_MAX_LENGTH[c]}`)).toEqual([
      'x 280',
      'threads 500',
      'bluesky 300',
      'linkedin 1250',
      'instagram 2200',
      'facebook 8000',
    ]);
    for (const c of ReplyChannel.options) {
      expect(REPLY_MAX_LENGTH[c]).toBeLessThanOrEqual(CHANNEL_RULES[c].maxLength ?? Number.POSITIVE_INFINITY);
    }
  });

  it('accepts only known channels, and only reply channels as ReplyChannel', () => {
    expect(Channel.safeParse('myspace').success).toBe(false);
    expect(ReplyChannel.safeParse('email').success).toBe(false);
    expect(ReplyChannel.parse('linkedin')).toBe('linkedin');
  });
});
