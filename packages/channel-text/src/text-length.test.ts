import { describe, expect, it } from 'vitest';
import { channelLength, codePointLength, textLength } from './text-length.js';

const LONG_URL = `https://forge.example/${'p'.repeat(300)}`;

describe('codePointLength', () => {
  it('counts code points, not UTF-16 units or graphemes', () => {
    expect(codePointLength('')).toBe(0);
    expect(codePointLength('abc')).toBe(3);
    expect(codePointLength('🌿')).toBe(1);
    expect('🌿'.length).toBe(2);
    // A family emoji is four people joined by three ZWJs.
    expect(codePointLength('👨‍👩‍👧‍👦')).toBe(7);
    // é precomposed is one code point; e + combining acute is two.
    expect(codePointLength('\u00e9')).toBe(1);
    expect(codePointLength('e\u0301')).toBe(2);
  });
});

describe('textLength', () => {
  it('counts every link as 23 under x, whatever its length', () => {
    expect(textLength(`Read ${LONG_URL}`, 'x')).toBe(28);
    expect(textLength('Read https://a.io', 'x')).toBe(28);
    expect(textLength(`${LONG_URL} and ${LONG_URL}`, 'x')).toBe(51);
  });

  it('counts trailing punctuation after a link outside it', () => {
    expect(textLength('Read https://a.example.', 'x')).toBe(29);
  });

  it('counts links at their real length under code-points', () => {
    expect(textLength(`Read ${LONG_URL}`, 'code-points')).toBe(5 + LONG_URL.length);
  });

  it('counts code points around links under x', () => {
    expect(textLength('🌿 https://a.example 🌿', 'x')).toBe(1 + 1 + 23 + 1 + 1);
  });
});

describe('channelLength', () => {
  it('counts the way the channel does', () => {
    const text = `New post ${LONG_URL}`;
    expect(channelLength(text, 'x')).toBe(32);
    expect(channelLength(text, 'threads')).toBe(9 + LONG_URL.length);
    expect(channelLength(text, 'email')).toBe(9 + LONG_URL.length);
  });
});
