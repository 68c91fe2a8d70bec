import { describe, expect, it } from 'vitest';
import { offsetMinutes } from './offset-minutes.js';
import { TRANSITION_WINDOWS, windowInstants } from './transitions.fixture.js';
import { WallClock } from './wall-clock.js';

describe('WallClock', () => {
  it.each(TRANSITION_WINDOWS)(
    'agrees with the tz database every 5 minutes across transitions in %s',
    (zone, from) => {
      const clock = new WallClock(zone);
      for (const t of windowInstants(from, 300_000)) {
        const offset = offsetMinutes(zone, t);
        const local = new Date(t + offset * 60_000);
        expect(clock.at(t)).toEqual({
          weekday: (local.getUTCDay() + 6) % 7,
          minuteOfDay: local.getUTCHours() * 60 + local.getUTCMinutes(),
          offsetMinutes: offset,
        });
      }
    },
  );

  it('switches offset at the exact instant of a transition, not at the bucket or day edge', () => {
    const clock = new WallClock('America/Denver');
    // Spring forward 2025-03-09 02:00 MST = 09:00Z; fall back 2025-11-02 02:00 MDT = 08:00Z.
    expect(clock.at(Date.parse('2025-03-09T08:59:59.999Z'))).toEqual({
      weekday: 6,
      minuteOfDay: 119,
      offsetMinutes: -420,
    });
    expect(clock.at(Date.parse('2025-03-09T09:00:00Z'))).toEqual({
      weekday: 6,
      minuteOfDay: 180,
      offsetMinutes: -360,
    });
    // The repeated hour: 01:30 twice, an hour apart, with different offsets.
    expect(clock.at(Date.parse('2025-11-02T07:30:00Z'))).toMatchObject({
      minuteOfDay: 90,
      offsetMinutes: -360,
    });
    expect(clock.at(Date.parse('2025-11-02T08:30:00Z'))).toMatchObject({
      minuteOfDay: 90,
      offsetMinutes: -420,
    });
  });

  it('reads instants before 1970 with the right weekday', () => {
    // 1969-12-31 was a Wednesday; 23:00 UTC.
    expect(new WallClock('UTC').at(Date.parse('1969-12-31T23:00:00Z'))).toEqual({
      weekday: 2,
      minuteOfDay: 1380,
      offsetMinutes: 0,
    });
  });
});
