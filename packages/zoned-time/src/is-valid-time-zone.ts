import { zoneFormatter } from './zone-formatter.js';

/**
 * Whether the runtime knows `timeZone` as an IANA zone (or UTC), e.g. `America/Denver`. Meant
 * for zod `.refine` at the edges, so later calls here never meet an unknown zone.
 */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    zoneFormatter(timeZone);
    return true;
  } catch {
    return false;
  }
}
