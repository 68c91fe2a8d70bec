import { describe, expect, it } from 'vitest';
import { offsetMinutes } from './offset-minutes.js';

describe('offsetMinutes', () => {
  it.each([
    ['America/Denver', '2025-01-15T12:00:00Z', -420],
    ['America/Denver', '2025-07-15T12:00:00Z', -360],
    ['Asia/Kathmandu', '2025-07-15T12:00:00Z', 345],
    ['Australia/Lord_Howe', '2025-01-15T12:00:00Z', 660],
    ['Australia/Lord_Howe', '2025-07-15T12:00:00Z', 630],
    ['Pacific/Chatham', '2025-01-15T12:00:00Z', 825],
    ['UTC', '2025-07-15T12:00:00Z', 0],
  ])('%s at %s is %i minutes east', (zone, at, expected) => {
    expect(offsetMinutes(zone, Date.parse(at))).toBe(expected);
  });

  it('changes at the transition instant itself', () => {
    // Denver springs forward at 09:00Z and falls back at 08:00Z.
    expect(offsetMinutes('America/Denver', Date.parse('2025-03-09T08:59:59Z'))).toBe(-420);
    expect(offsetMinutes('America/Denver', Date.parse('2025-03-09T09:00:00Z'))).toBe(-360);
    expect(offsetMinutes('America/Denver', Date.parse('2025-11-02T07:59:59Z'))).toBe(-360);
    expect(offsetMinutes('America/Denver', Date.parse('2025-11-02T08:00:00Z'))).toBe(-420);
    // Southern hemisphere: Sydney leaves daylight time at 16:00Z on 2025-04-05.
    expect(offsetMinutes('Australia/Sydney', Date.parse('2025-04-05T15:59:59Z'))).toBe(660);
    expect(offsetMinutes('Australia/Sydney', Date.parse('2025-04-05T16:00:00Z'))).toBe(600);
  });

  it('ignores the milliseconds of the instant', () => {
    expect(offsetMinutes('Asia/Kathmandu', Date.parse('2025-07-15T12:00:00.999Z'))).toBe(345);
    expect(offsetMinutes('America/Denver', Date.parse('2025-03-09T08:59:59.999Z'))).toBe(-420);
  });
});
