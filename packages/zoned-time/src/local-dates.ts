import { wallFields } from './zone-formatter.js';

const BUCKET_MS = 900_000;

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/**
 * Local calendar dates (`YYYY-MM-DD`) of instants in one zone, for grouping many timestamps by
 * local day. Cached per 15-minute bucket: local midnight falls on a quarter hour UTC in every
 * zone, so a bucket never spans two dates, and a week of minute readings costs a few hundred
 * Intl calls instead of one per reading. One instance per zone; the cache grows with the span
 * of instants asked about (96 entries a day).
 */
export class LocalDates {
  private readonly cache = new Map<number, string>();

  constructor(readonly timeZone: string) {}

  /** The local date of instant `epochMs` (ms since the epoch, UTC). */
  of(epochMs: number): string {
    const bucket = Math.floor(epochMs / BUCKET_MS);
    let date = this.cache.get(bucket);
    if (date === undefined) {
      const f = wallFields(this.timeZone, bucket * BUCKET_MS);
      date = `${pad(f.year, 4)}-${pad(f.month, 2)}-${pad(f.day, 2)}`;
      this.cache.set(bucket, date);
    }
    return date;
  }
}
