const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether the runtime knows `timeZone` as an IANA zone (or UTC). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/**
 * The zone's offset from UTC at instant `epochMs`, in minutes (east positive), from the
 * runtime's tz database via Intl: the difference between the wall clock there and UTC.
 */
export function offsetMinutes(timeZone: string, epochMs: number): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(epochMs))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  const instant = Math.floor(epochMs / 1000) * 1000;
  return Math.round((wall - instant) / 60_000);
}

/** The wall clock in a zone at an instant. `weekday` is 0 for Monday through 6 for Sunday. */
export interface WallTime {
  weekday: number;
  /** Minutes since local midnight. */
  minuteOfDay: number;
  offsetMinutes: number;
}

const DAY_MS = 86_400_000;

const BUCKET_MS = 900_000;
const BUCKETS_PER_DAY = 96;

/**
 * Reads wall clocks in one zone. Offsets come from Intl once per UTC day (at its start and the
 * next day's); on a day where they differ, a binary search over quarter hours finds the switch,
 * since every zone's transitions fall on quarter hours UTC. So a scan over months costs about
 * one Intl call per day instead of one per instant. Plain arithmetic, no Date objects.
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

function pad(n: number, width = 2): string {
  return String(Math.abs(n)).padStart(width, '0');
}

/** RFC 3339 local time with its offset, e.g. `2025-03-09T03:00:00-04:00`. */
export function formatLocal(epochMs: number, offsetMinutes: number): string {
  const wall = new Date(epochMs + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const off = Math.abs(offsetMinutes);
  return (
    `${pad(wall.getUTCFullYear(), 4)}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}` +
    `T${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}:00${sign}${pad(Math.floor(off / 60))}:${pad(off % 60)}`
  );
}
