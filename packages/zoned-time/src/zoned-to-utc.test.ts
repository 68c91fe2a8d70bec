import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { offsetMinutes } from './offset-minutes.js';
import { zonedToUtc } from './zoned-to-utc.js';

const iso = (date: string, time: string, zone: string) => zonedToUtc(date, time, zone).toISOString();

/** The wall date and time of `epochMs` in `zone`, from the tz database. */
function wallOf(epochMs: number, zone: string): { date: string; time: string } {
  const local = new Date(epochMs + offsetMinutes(zone, epochMs) * 60_000).toISOString();
  return { date: local.slice(0, 10), time: local.slice(11, 16) };
}

describe('zonedToUtc', () => {
  it.each([
    ['2025-06-12', '09:30', 'America/Denver', '2025-06-12T15:30:00.000Z'],
    ['2025-01-12', '09:30', 'America/Denver', '2025-01-12T16:30:00.000Z'],
    ['2025-06-12', '09:30', 'Asia/Kathmandu', '2025-06-12T03:45:00.000Z'],
    ['2025-06-12', '00:00', 'UTC', '2025-06-12T00:00:00.000Z'],
  ])('maps an ordinary wall time with the offset in force: %s %s %s', (date, time, zone, expected) => {
    expect(iso(date, time, zone)).toBe(expected);
  });

  // A wall time a spring-forward skips keeps its distance past the jump.
  it.each([
    // Denver 2025-03-09: 02:00 MST jumps to 03:00 MDT (09:00Z).
    ['2025-03-09', '01:59', 'America/Denver', '2025-03-09T08:59:00.000Z'],
    ['2025-03-09', '02:00', 'America/Denver', '2025-03-09T09:00:00.000Z'],
    ['2025-03-09', '02:30', 'America/Denver', '2025-03-09T09:30:00.000Z'],
    ['2025-03-09', '03:00', 'America/Denver', '2025-03-09T09:00:00.000Z'],
    // Berlin 2025-03-30: 02:00 CET jumps to 03:00 CEST (01:00Z).
    ['2025-03-30', '02:30', 'Europe/Berlin', '2025-03-30T01:30:00.000Z'],
    // Sydney 2025-10-05: 02:00 AEST jumps to 03:00 AEDT (16:00Z the day before).
    ['2025-10-05', '02:30', 'Australia/Sydney', '2025-10-04T16:30:00.000Z'],
    // Lord Howe moves by 30 minutes: 02:00 → 02:30, so 02:15 becomes 02:45 (+11:00).
    ['2025-10-05', '02:15', 'Australia/Lord_Howe', '2025-10-04T15:45:00.000Z'],
    // Santiago springs forward at midnight: 00:30 does not exist, 01:30 -03 is meant.
    ['2025-09-07', '00:30', 'America/Santiago', '2025-09-07T04:30:00.000Z'],
  ])('resolves %s %s in %s across a spring-forward to %s', (date, time, zone, expected) => {
    expect(iso(date, time, zone)).toBe(expected);
  });

  // A wall time a fall-back repeats is its first (earlier) occurrence.
  it.each([
    // Denver 2025-11-02: 01:00–02:00 happens in MDT (-6), then again in MST (-7).
    ['2025-11-02', '00:59', 'America/Denver', '2025-11-02T06:59:00.000Z'],
    ['2025-11-02', '01:00', 'America/Denver', '2025-11-02T07:00:00.000Z'],
    ['2025-11-02', '01:30', 'America/Denver', '2025-11-02T07:30:00.000Z'],
    ['2025-11-02', '02:00', 'America/Denver', '2025-11-02T09:00:00.000Z'],
    // Berlin 2025-10-26: 02:00–03:00 twice; the CEST (+2) one comes first.
    ['2025-10-26', '02:30', 'Europe/Berlin', '2025-10-26T00:30:00.000Z'],
    // Sydney 2025-04-06: 02:00–03:00 twice; the AEDT (+11) one comes first.
    ['2025-04-06', '02:30', 'Australia/Sydney', '2025-04-05T15:30:00.000Z'],
    // Santiago repeats 23:00–24:00 on 2025-04-05; the -03 one comes first.
    ['2025-04-05', '23:30', 'America/Santiago', '2025-04-06T02:30:00.000Z'],
  ])('resolves %s %s in %s across a fall-back to %s', (date, time, zone, expected) => {
    expect(iso(date, time, zone)).toBe(expected);
  });

  it('round-trips every minute-aligned instant to its wall time, choosing the earliest instant', () => {
    const zones = [
      'America/Denver',
      'Europe/Berlin',
      'Australia/Lord_Howe',
      'America/Santiago',
      'Asia/Kathmandu',
    ];
    const from = Date.parse('2000-01-01T00:00:00Z') / 60_000;
    const to = Date.parse('2035-12-31T00:00:00Z') / 60_000;
    fc.assert(
      fc.property(fc.constantFrom(...zones), fc.integer({ min: from, max: to }), (zone, minute) => {
        const t = minute * 60_000;
        const wall = wallOf(t, zone);
        const back = zonedToUtc(wall.date, wall.time, zone).getTime();
        expect(wallOf(back, zone)).toEqual(wall);
        // Only a repeated wall time may map elsewhere, and then to its earlier occurrence.
        expect(back).toBeLessThanOrEqual(t);
        expect(t - back).toBeLessThanOrEqual(60 * 60_000);
      }),
      { numRuns: 2000 },
    );
  });
});
