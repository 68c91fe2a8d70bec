import { describe, expect, it } from 'vitest';
import { formatLocal, offsetMinutes, WallClock } from './time-zone.js';

describe('WallClock', () => {
  it.each([
    ['America/Denver', '2025-03-08T00:00:00Z'],
    ['America/Denver', '2025-11-01T00:00:00Z'],
    ['Europe/Berlin', '2025-03-29T00:00:00Z'],
    ['Australia/Lord_Howe', '2025-04-04T00:00:00Z'],
    ['Asia/Kathmandu', '2025-06-01T00:00:00Z'],
  ])('agrees with the tz database every 5 minutes across transitions in %s', (zone, from) => {
    const clock = new WallClock(zone);
    const start = Date.parse(from);
    for (let t = start; t < start + 3 * 86_400_000; t += 300_000) {
      const offset = offsetMinutes(zone, t);
      const local = new Date(t + offset * 60_000);
      expect(clock.at(t)).toEqual({
        weekday: (local.getUTCDay() + 6) % 7,
        minuteOfDay: local.getUTCHours() * 60 + local.getUTCMinutes(),
        offsetMinutes: offset,
      });
    }
  });

  it('formats local time with its offset', () => {
    expect(formatLocal(Date.parse('2025-03-09T09:00:00Z'), -360)).toBe('2025-03-09T03:00:00-06:00');
    expect(formatLocal(Date.parse('2025-06-11T03:15:00Z'), 345)).toBe('2025-06-11T09:00:00+05:45');
  });
});
