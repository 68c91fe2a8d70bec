import { describe, expect, it } from 'vitest';
import { formatLocal } from './format-local.js';

describe('formatLocal', () => {
  it('formats local time with its offset', () => {
    expect(formatLocal(Date.parse('2025-03-09T09:00:00Z'), -360)).toBe('2025-03-09T03:00:00-06:00');
    expect(formatLocal(Date.parse('2025-06-11T03:15:00Z'), 345)).toBe('2025-06-11T09:00:00+05:45');
  });

  it('writes UTC as +00:00 and carries the local date across midnight', () => {
    expect(formatLocal(Date.parse('2025-01-01T00:00:00Z'), 0)).toBe('2025-01-01T00:00:00+00:00');
    expect(formatLocal(Date.parse('2025-12-31T23:30:00Z'), 825)).toBe('2026-01-01T13:15:00+13:45');
    expect(formatLocal(Date.parse('2025-01-01T02:00:00Z'), -210)).toBe('2024-12-31T22:30:00-03:30');
  });
});
