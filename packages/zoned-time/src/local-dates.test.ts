import { describe, expect, it } from 'vitest';
import { LocalDates } from './local-dates.js';
import { TRANSITION_WINDOWS, windowInstants } from './transitions.fixture.js';

const references = new Map<string, Intl.DateTimeFormat>();

/** An independent reading of the local date: en-CA formats dates as YYYY-MM-DD. */
function intlDate(zone: string, epochMs: number): string {
  let f = references.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    references.set(zone, f);
  }
  return f.format(new Date(epochMs));
}

describe('LocalDates', () => {
  it.each(TRANSITION_WINDOWS)(
    'agrees with Intl every 5 minutes (and at odd seconds) across transitions in %s',
    (zone, from) => {
      const dates = new LocalDates(zone);
      for (const t of windowInstants(from, 300_000)) {
        expect(dates.of(t)).toBe(intlDate(zone, t));
        expect(dates.of(t + 299_999)).toBe(intlDate(zone, t + 299_999));
      }
    },
  );

  it('turns the date exactly at local midnight, also on a day that starts at 01:00', () => {
    const denver = new LocalDates('America/Denver');
    expect(denver.of(Date.parse('2025-06-12T05:59:59.999Z'))).toBe('2025-06-11');
    expect(denver.of(Date.parse('2025-06-12T06:00:00Z'))).toBe('2025-06-12');
    // Santiago 2025-09-07 begins at 01:00 -03 (04:00Z); the instant before is 23:59 -04 on the 6th.
    const santiago = new LocalDates('America/Santiago');
    expect(santiago.of(Date.parse('2025-09-07T03:59:59Z'))).toBe('2025-09-06');
    expect(santiago.of(Date.parse('2025-09-07T04:00:00Z'))).toBe('2025-09-07');
  });

  it('answers the same date for a bucket it has cached, in any order of asking', () => {
    const dates = new LocalDates('Asia/Kathmandu');
    // Kathmandu midnight is 18:15Z: the quarter hour before is the previous day.
    const late = Date.parse('2025-06-11T18:14:59Z');
    const early = Date.parse('2025-06-11T18:00:00Z');
    expect(dates.of(late)).toBe('2025-06-11');
    expect(dates.of(early)).toBe('2025-06-11');
    expect(dates.of(Date.parse('2025-06-11T18:15:00Z'))).toBe('2025-06-12');
    expect(dates.of(late)).toBe('2025-06-11');
  });
});
