import { describe, expect, it } from 'vitest';
import { isValidTimeZone } from './is-valid-time-zone.js';

describe('isValidTimeZone', () => {
  it.each(['America/Denver', 'UTC', 'Etc/GMT+7', 'Asia/Kathmandu'])('knows %s', (zone) => {
    expect(isValidTimeZone(zone)).toBe(true);
  });

  it.each(['', 'Mars/Olympus', 'America/Denverr', 'GMT+25'])('rejects %j', (zone) => {
    expect(isValidTimeZone(zone)).toBe(false);
  });

  it('stays false for a bad zone asked twice (a failure is not cached as a formatter)', () => {
    expect(isValidTimeZone('Nowhere/Atlantis')).toBe(false);
    expect(isValidTimeZone('Nowhere/Atlantis')).toBe(false);
  });
});
