import { describe, expect, it } from 'vitest';
import { usd } from './usd.js';

describe('usd', () => {
  it('shows cents from a dollar up, rounding half up on the integer', () => {
    expect(usd(412_500_000)).toBe('$412.50');
    expect(usd(1_994_999)).toBe('$1.99');
    expect(usd(1_995_000)).toBe('$2.00');
    expect(usd(1_234_567_890_000)).toBe('$1,234,567.89');
  });

  it('keeps every significant micro-dollar below a dollar, and at least cents', () => {
    expect(usd(0)).toBe('$0.00');
    expect(usd(500_000)).toBe('$0.50');
    expect(usd(1234)).toBe('$0.001234');
    expect(usd(26)).toBe('$0.000026');
  });
});
