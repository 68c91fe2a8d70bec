import { describe, expect, it } from 'vitest';
import { fastDayStart } from './fast-day.js';

describe('fastDayStart', () => {
  it('is 06:00 of the local date, before or after that hour, on both sides of DST', () => {
    // 23:40 on Saturday 5 December in Denver (MST): the day that starts is that Saturday's.
    expect(fastDayStart(new Date('2026-12-06T06:40:00Z'), 'America/Denver').toISOString()).toBe(
      '2026-12-05T13:00:00.000Z',
    );
    // 03:00 in Denver (MDT): the same date's 06:00, three hours ahead.
    expect(fastDayStart(new Date('2026-06-10T09:00:00Z'), 'America/Denver').toISOString()).toBe(
      '2026-06-10T12:00:00.000Z',
    );
  });
});
