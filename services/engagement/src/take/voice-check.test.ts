import { VoiceGuide } from '@forge/day';
import { describe, expect, it } from 'vitest';
import { checkVoice } from './voice-check.js';

const voice = VoiceGuide.parse({
  name: 'Brad',
  traits: ['plain'],
  bannedPhrases: ['game changer', 'synergy'],
  sycophanticOpeners: ['big if true'],
});

describe('checkVoice', () => {
  it('passes a plain take within the limit with the story link', () => {
    expect(
      checkVoice('Routing is the bill. 16 tasks, under $500. https://example.com/story', {
        voice,
        channel: 'x',
        allowedLink: 'https://example.com/story',
      }),
    ).toEqual([]);
  });

  it('names each failure: length, banned phrase, opener, hashtags, stray link', () => {
    const failures = checkVoice(
      `Big if true! This is a game-changer for synergy #ai #agents https://spam.example ${'x'.repeat(260)}`,
      { voice, channel: 'x' },
    );
    expect(failures.map((f) => f.split(':')[0])).toEqual([
      'length',
      'banned-phrase',
      'banned-phrase',
      'sycophantic-opener',
      'hashtags',
      'link',
    ]);
  });

  it('matches banned phrases as whole words only', () => {
    expect(checkVoice('Synergyless teams ship.', { voice, channel: 'x' })).toEqual([]);
  });
});
