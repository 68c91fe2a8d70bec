function pad(n: number, width = 2): string {
  return String(Math.abs(n)).padStart(width, '0');
}

/**
 * RFC 3339 local time of instant `epochMs` at a given offset (minutes east), to the minute,
 * e.g. `2025-03-09T03:00:00-04:00`. Seconds are always `00`: callers schedule on minutes.
 */
export function formatLocal(epochMs: number, offsetMinutes: number): string {
  const wall = new Date(epochMs + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const off = Math.abs(offsetMinutes);
  return (
    `${pad(wall.getUTCFullYear(), 4)}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}` +
    `T${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}:00${sign}${pad(Math.floor(off / 60))}:${pad(off % 60)}`
  );
}
