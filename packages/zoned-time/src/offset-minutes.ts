import { wallFields } from './zone-formatter.js';

/**
 * The zone's offset from UTC at instant `epochMs`, in whole minutes, east positive (Denver in
 * winter is -420, Kathmandu +345), from the runtime's tz database via Intl: the difference
 * between the wall clock there and UTC. Sub-second parts of `epochMs` are ignored.
 */
export function offsetMinutes(timeZone: string, epochMs: number): number {
  const f = wallFields(timeZone, epochMs);
  const wall = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second);
  const instant = Math.floor(epochMs / 1000) * 1000;
  return Math.round((wall - instant) / 60_000);
}
