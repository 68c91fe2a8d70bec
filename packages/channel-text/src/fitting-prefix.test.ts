import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChannelCounting } from './channel-rules.js';
import { fittingPrefixEnd } from './fitting-prefix.js';
import { findUrls } from './links.js';
import { textLength } from './text-length.js';

describe('fittingPrefixEnd', () => {
  it('returns the whole length when the text fits', () => {
    expect(fittingPrefixEnd('hello', 'code-points', 5)).toBe(5);
    expect(fittingPrefixEnd('', 'x', 0)).toBe(0);
  });

  it('never splits a surrogate pair', () => {
    expect(fittingPrefixEnd('a🌿b', 'code-points', 1)).toBe(1);
    expect(fittingPrefixEnd('a🌿b', 'code-points', 2)).toBe(3);
  });

  it('counts a link as 23 on x and keeps it whole or leaves it out', () => {
    const text = 'Read https://forge.example/a-very-long-path-indeed now';
    const urlEnd = text.indexOf(' now');
    expect(fittingPrefixEnd(text, 'x', 27)).toBe(5);
    expect(fittingPrefixEnd(text, 'x', 28)).toBe(urlEnd);
    expect(fittingPrefixEnd(text, 'x', 29)).toBe(urlEnd + 1);
    // Counted by code points the link is just characters.
    expect(fittingPrefixEnd(text, 'code-points', 27)).toBe(27);
  });

  it('ends at the longest prefix that fits, for any text and limit', () => {
    const piece = fc.constantFrom('a', ' ', '.', '🌿', 'é', 'https://a.example/xyz', 'www.b.example', '\n');
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 30 }).map((p) => p.join('')),
        fc.constantFrom<ChannelCounting>('x', 'code-points'),
        fc.integer({ min: 0, max: 120 }),
        (text, counting, max) => {
          const end = fittingPrefixEnd(text, counting, max);
          expect(end).toBeGreaterThanOrEqual(0);
          expect(end).toBeLessThanOrEqual(text.length);
          expect(textLength(text.slice(0, end), counting)).toBeLessThanOrEqual(max);
          // Not inside a surrogate pair.
          const unit = text.charCodeAt(end - 1);
          expect(end > 0 && unit >= 0xd800 && unit <= 0xdbff).toBe(false);
          if (counting === 'x') {
            for (const url of findUrls(text)) expect(end > url.start && end < url.end).toBe(false);
          }
          if (end < text.length) {
            // One more unit (a code point, or on x a whole link) would not fit.
            const url = counting === 'x' ? findUrls(text).find((u) => u.start === end) : undefined;
            const next = url ? url.end : end + ((text.codePointAt(end) ?? 0) > 0xffff ? 2 : 1);
            expect(textLength(text.slice(0, next), counting)).toBeGreaterThan(max);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
