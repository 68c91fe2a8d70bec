import { describe, expect, it } from 'vitest';
import { fastClock } from './clock.js';

describe('fastClock', () => {
  it('runs speed times faster from the anchor, starting at its start instant', () => {
    let real = Date.parse('2026-12-06T06:40:00Z');
    const anchor = new Date(real);
    const start = new Date('2026-12-05T13:00:00Z'); // 06:00 in Denver
    const clock = fastClock(360, anchor, () => real, start);
    expect(clock.now().toISOString()).toBe('2026-12-05T13:00:00.000Z');
    real += 5_000; // five real seconds: thirty minutes of the day
    expect(clock.now().toISOString()).toBe('2026-12-05T13:30:00.000Z');
    expect(clock.realDelayUntil(new Date('2026-12-05T14:00:00Z'))).toBe(5_000);
    expect(clock.id).toBe('fast@2026-12-06T06:40:00.000Z');
    // Without a start the day runs on from the anchor.
    expect(
      fastClock(360, anchor, () => real)
        .now()
        .toISOString(),
    ).toBe('2026-12-06T07:10:00.000Z');
  });
});
