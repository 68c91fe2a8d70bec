import { describe, expect, it } from 'vitest';
import { addDays, weekdayOf } from './iso-date.js';

describe('addDays', () => {
  it.each([
    ['2025-06-09', 6, '2025-06-15'],
    ['2025-01-31', 1, '2025-02-01'],
    ['2024-02-28', 1, '2024-02-29'],
    ['2025-02-28', 1, '2025-03-01'],
    ['2025-12-31', 1, '2026-01-01'],
    ['2025-03-01', -1, '2025-02-28'],
    ['2025-06-09', 0, '2025-06-09'],
    // Calendar days, not 24-hour steps: a DST change in between shifts nothing.
    ['2025-03-08', 2, '2025-03-10'],
    ['2025-11-01', 2, '2025-11-03'],
  ])('%s + %i = %s', (date, days, expected) => {
    expect(addDays(date, days)).toBe(expected);
  });
});

describe('weekdayOf', () => {
  it.each([
    ['2025-06-09', 0],
    ['2025-06-12', 3],
    ['2025-06-15', 6],
    ['2024-02-29', 3],
    ['1970-01-01', 3],
    ['2025-03-09', 6],
  ])('%s is weekday %i (Monday 0)', (date, expected) => {
    expect(weekdayOf(date)).toBe(expected);
  });

  it('walks Monday to Sunday over a week of addDays', () => {
    expect(Array.from({ length: 7 }, (_, i) => weekdayOf(addDays('2025-12-29', i)))).toEqual([
      0, 1, 2, 3, 4, 5, 6,
    ]);
  });
});
