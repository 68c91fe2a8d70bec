import { describe, expect, it } from 'vitest';
import { fitLength } from './compose-text.js';
import { parseLengthHint } from './length-hint.js';

describe('parseLengthHint', () => {
  it('reads strict and inclusive limits in characters, words and sentences', () => {
    expect(parseLengthHint('Reply in under 280 characters.')).toEqual({ maxChars: 279 });
    expect(parseLengthHint('At most 50 words, no more than 2 sentences.')).toEqual({
      maxWords: 50,
      maxSentences: 2,
    });
    expect(parseLengthHint('Keep it to 120 chars or less')).toEqual({ maxChars: 120 });
    expect(parseLengthHint('Use 3 sentences max; under 200 characters; maximum 150 characters')).toEqual({
      maxSentences: 3,
      maxChars: 150,
    });
  });

  it('finds nothing in a prompt without a limit', () => {
    expect(parseLengthHint('Write a friendly reply about our 3 stores.')).toEqual({});
  });
});

describe('fitLength', () => {
  const text = 'First sentence here. Second one is longer than the first. Third.';

  it('keeps whole sentences that fit, or cuts a lone long sentence at a word', () => {
    expect(fitLength(text, { maxChars: 60 })).toBe(
      'First sentence here. Second one is longer than the first.',
    );
    expect(fitLength(text, { maxChars: 12 })).toBe('First');
    expect(fitLength(text, { maxSentences: 1 })).toBe('First sentence here.');
    expect(fitLength(text, { maxWords: 4 })).toBe('First sentence here. Second');
  });
});
