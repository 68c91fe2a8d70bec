import { offsetMinutes } from './offset-minutes.js';

/** The wall clock in a zone at an instant. */
export interface WallTime {
  /** 0 for Monday through 6 for Sunday. */
  weekday: number;
  /** Minutes since local midnight, 0–1439. */
  minuteOfDay: number;
  /** The zone's offset from UTC at that instant, in minutes east. */
  offsetMinutes: number;
}

const DAY_MS = 86_400_000;
const BUCKET_MS = 900_000;
const BUCKETS_PER_DAY = 96;

/**
 * Reads wall clocks in one zone, for scans over many instants. Offsets come from Intl once per
 * UTC day (at its start and the next day's); on a day where they differ, a binary search over
 * quarter hours finds the switch, since every zone's transitions fall on quarter hours UTC. So a
 * scan over months costs about one Intl call per day instead of one per instant. Plain
 * arithmetic, no Date objects. Agrees with {@link offsetMinutes} at every instant.
 */
export class WallClock {
  private readonly days = new Map<number, { before: number; after: number; switchAt: number }>();

  constructor(readonly timeZone: string) {}

  private offsetAt(epochMs: number): number {
    const bucket = Math.floor(epochMs / BUCKET_MS);
    const day = Math.floor(bucket / BUCKETS_PER_DAY);
    let known = this.days.get(day);
    if (!known) {
      const first = day * BUCKETS_PER_DAY;
      const before = offsetMinutes(this.timeZone, first * BUCKET_MS);
      const after = offsetMinutes(this.timeZone, (first + BUCKETS_PER_DAY) * BUCKET_MS);
      let lo = first;
      let hi = first + BUCKETS_PER_DAY;
      while (before !== after && hi - lo > 1) {
        const mid = (lo + hi) >>> 1;
        if (offsetMinutes(this.timeZone, mid * BUCKET_MS) === before) lo = mid;
        else hi = mid;
      }
      known = { before, after, switchAt: hi };
      this.days.set(day, known);
    }
    return bucket < known.switchAt ? known.before : known.after;
  }

  /** The wall clock at instant `epochMs` (ms since the epoch, UTC). */
  at(epochMs: number): WallTime {
    const offset = this.offsetAt(epochMs);
    const local = epochMs + offset * 60_000;
    const day = Math.floor(local / DAY_MS);
    return {
      // 1970-01-01 was a Thursday (3 when Monday is 0).
      weekday: (((day + 3) % 7) + 7) % 7,
      minuteOfDay: Math.floor((local - day * DAY_MS) / 60_000),
      offsetMinutes: offset,
    };
  }
}
