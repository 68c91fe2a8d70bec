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
  year: number;
  month: number;
  day: number;
  weekday: number;
  /** Minutes since local midnight. */
  minuteOfDay: number;
  offsetMinutes: number;
}

/**
 * Reads wall clocks in one zone, caching the offset per 15-minute bucket: every zone's
 * transitions fall on quarter hours UTC, so a bucket never straddles one.
 */
export class WallClock {
  private readonly offsets = new Map<number, number>();

  constructor(readonly timeZone: string) {}

  at(epochMs: number): WallTime {
    const bucket = Math.floor(epochMs / 900_000);
    let offset = this.offsets.get(bucket);
    if (offset === undefined) {
      offset = offsetMinutes(this.timeZone, bucket * 900_000);
      this.offsets.set(bucket, offset);
    }
    const wall = new Date(epochMs + offset * 60_000);
    return {
      year: wall.getUTCFullYear(),
      month: wall.getUTCMonth() + 1,
      day: wall.getUTCDate(),
      weekday: (wall.getUTCDay() + 6) % 7,
      minuteOfDay: wall.getUTCHours() * 60 + wall.getUTCMinutes(),
      offsetMinutes: offset,
    };
  }
}

function pad(n: number, width = 2): string {
  return String(Math.abs(n)).padStart(width, '0');
}

/** RFC 3339 local time with its offset, e.g. `2025-03-09T03:00:00-04:00`. */
export function formatLocal(wall: WallTime): string {
  const sign = wall.offsetMinutes < 0 ? '-' : '+';
  const off = Math.abs(wall.offsetMinutes);
  const hh = Math.floor(wall.minuteOfDay / 60);
  const mm = wall.minuteOfDay % 60;
  return (
    `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)}T${pad(hh)}:${pad(mm)}:00` +
    `${sign}${pad(Math.floor(off / 60))}:${pad(off % 60)}`
  );
}
