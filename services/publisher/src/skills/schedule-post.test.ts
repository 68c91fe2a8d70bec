import { parseOrThrow } from '@forge/contracts';
import { offsetMinutes } from '@forge/zoned-time';
import { describe, expect, it } from 'vitest';
import {
  contentHash,
  type SchedulePostInput,
  SchedulePostInput as Schema,
  schedulePost,
} from './schedule-post.js';

const DENVER = 'America/Denver';
const base = { channel: 'x', content: 'Routing is the system.' };

function slotOf(input: SchedulePostInput, now: string) {
  const out = schedulePost(input, new Date(now));
  if (!out.found) throw new Error(out.reason);
  return out;
}

describe('schedulePost', () => {
  it('takes the next slot in the window, on the slot grid, and reports local time with offset', () => {
    const out = slotOf(
      { ...base, windows: [{ timeZone: DENVER, days: ['tue'], start: '09:00', end: '11:00' }] },
      '2025-06-10T15:07:00Z', // Tuesday 09:07 MDT
    );
    expect(out).toMatchObject({
      slot: '2025-06-10T15:15:00.000Z',
      local: '2025-06-10T09:15:00-06:00',
      windowIndex: 0,
    });
  });

  it('skips local times that spring-forward removes', () => {
    // 2025-03-09: Denver clocks jump 02:00 MST -> 03:00 MDT; 02:30 does not exist that day.
    const out = slotOf(
      { ...base, windows: [{ timeZone: DENVER, days: ['sun'], start: '02:30', end: '03:30' }] },
      '2025-03-09T00:00:00Z',
    );
    expect(out.slot).toBe('2025-03-09T09:00:00.000Z');
    expect(out.local).toBe('2025-03-09T03:00:00-06:00');
  });

  it('finds nothing on the spring-forward day when the whole window is skipped, and uses the next week', () => {
    const out = slotOf(
      { ...base, windows: [{ timeZone: DENVER, days: ['sun'], start: '02:00', end: '03:00' }] },
      '2025-03-09T07:00:00Z',
    );
    expect(out.local).toBe('2025-03-16T02:00:00-06:00');
  });

  it('treats the hour fall-back repeats as two instants', () => {
    // 2025-11-02: 01:00-01:59 happens at -06:00 and again at -07:00.
    const out = slotOf(
      {
        ...base,
        windows: [{ timeZone: DENVER, days: ['sun'], start: '01:00', end: '01:30' }],
        booked: ['2025-11-02T07:00:00Z', '2025-11-02T07:15:00Z'],
        minSpacingMinutes: 15,
      },
      '2025-11-02T06:00:00Z',
    );
    expect(out.slot).toBe('2025-11-02T08:00:00.000Z');
    expect(out.local).toBe('2025-11-02T01:00:00-07:00');
  });

  it('keeps minimum spacing from booked slots on both sides, whatever their zone notation', () => {
    const out = slotOf(
      {
        ...base,
        windows: [
          {
            timeZone: 'UTC',
            days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
            start: '00:00',
            end: '24:00',
          },
        ],
        booked: ['2025-06-10T12:30:00+02:00', '2025-06-10T11:30:00Z'],
        minSpacingMinutes: 45,
      },
      '2025-06-10T10:00:00Z',
    );
    // 10:00 is within 45 min of 10:30Z (12:30+02:00); 11:30 blocks until 12:15.
    expect(out.slot).toBe('2025-06-10T12:15:00.000Z');
  });

  it('never returns a booked slot even with zero spacing', () => {
    const out = slotOf(
      {
        ...base,
        windows: [{ timeZone: 'UTC', days: ['tue'], start: '09:00', end: '10:00' }],
        booked: ['2025-06-10T09:00:00Z'],
        minSpacingMinutes: 0,
      },
      '2025-06-10T08:00:00Z',
    );
    expect(out.slot).toBe('2025-06-10T09:15:00.000Z');
  });

  it('aligns the grid to wall-clock minutes in zones with quarter-hour offsets', () => {
    const out = slotOf(
      {
        ...base,
        windows: [{ timeZone: 'Asia/Kathmandu', days: ['wed'], start: '09:00', end: '10:00' }],
        slotMinutes: 60,
      },
      '2025-06-10T00:00:00Z',
    );
    expect(out).toMatchObject({ slot: '2025-06-11T03:15:00.000Z', local: '2025-06-11T09:00:00+05:45' });
  });

  it('runs an overnight window into the next day, owned by the day it opens', () => {
    const windows = [{ timeZone: 'Europe/London', days: ['fri' as const], start: '22:00', end: '02:00' }];
    // Saturday 01:00 BST belongs to Friday's window.
    expect(slotOf({ ...base, windows }, '2025-06-14T00:00:00Z').local).toBe('2025-06-14T01:00:00+01:00');
    // Saturday 23:00 does not (no Saturday window): next is Friday 22:00.
    expect(slotOf({ ...base, windows }, '2025-06-14T22:00:00Z').local).toBe('2025-06-20T22:00:00+01:00');
  });

  it('picks the earliest slot across windows in different zones', () => {
    const out = slotOf(
      {
        ...base,
        windows: [
          { timeZone: 'America/New_York', days: ['mon'], start: '09:00', end: '10:00' },
          { timeZone: 'Europe/Berlin', days: ['mon'], start: '09:00', end: '10:00' },
        ],
      },
      '2025-06-09T00:00:00Z',
    );
    expect(out).toMatchObject({
      windowIndex: 1,
      timeZone: 'Europe/Berlin',
      slot: '2025-06-09T07:00:00.000Z',
    });
  });

  it('respects notBefore when it is later than now', () => {
    const out = slotOf(
      {
        ...base,
        windows: [{ timeZone: 'UTC', days: ['tue'], start: '09:00', end: '17:00' }],
        notBefore: '2025-06-10T13:02:00Z',
      },
      '2025-06-10T09:00:00Z',
    );
    expect(out.slot).toBe('2025-06-10T13:15:00.000Z');
  });

  it('says when no slot exists within the horizon', () => {
    const out = schedulePost(
      {
        ...base,
        windows: [{ timeZone: 'UTC', days: ['tue'], start: '09:00', end: '09:30' }],
        booked: ['2025-06-10T09:15:00Z'],
        minSpacingMinutes: 60,
        horizonDays: 3,
      },
      new Date('2025-06-10T08:00:00Z'),
    );
    expect(out).toEqual({
      found: false,
      reason: 'no free 15-minute slot in the windows within 3 days with 60 minutes spacing',
      searchedUntil: '2025-06-13T08:00:00.000Z',
    });
  });

  it('gives a stable idempotency key that changes with channel, content or slot but not formatting', () => {
    const windows = [{ timeZone: 'UTC', days: ['tue' as const], start: '09:00', end: '10:00' }];
    const now = '2025-06-10T08:00:00Z';
    const a = slotOf({ ...base, windows }, now);
    expect(slotOf({ ...base, windows }, now).idempotencyKey).toBe(a.idempotencyKey);
    expect(slotOf({ ...base, content: ' Routing is the system.\r\n', windows }, now).idempotencyKey).toBe(
      a.idempotencyKey,
    );
    expect(slotOf({ ...base, channel: 'threads', windows }, now).idempotencyKey).not.toBe(a.idempotencyKey);
    expect(slotOf({ ...base, content: 'Other.', windows }, now).idempotencyKey).not.toBe(a.idempotencyKey);
    expect(slotOf({ ...base, windows }, '2025-06-10T09:01:00Z').idempotencyKey).not.toBe(a.idempotencyKey);
    expect(a.contentHash).toBe(contentHash('Routing is the system.'));
  });

  it('validates windows and booked slots naming the field', () => {
    const bad = (patch: Record<string, unknown>) => () =>
      parseOrThrow(
        Schema,
        { ...base, windows: [{ timeZone: 'UTC', days: ['mon'], start: '09:00', end: '10:00', ...patch }] },
        'input',
      );
    expect(bad({ timeZone: 'Mars/Olympus' })).toThrow('windows.0.timeZone: must be an IANA time zone');
    expect(bad({ start: '9:00' })).toThrow('windows.0.start: must be HH:MM');
    expect(bad({ end: '09:00', start: '09:00' })).toThrow('windows.0.end: must differ from start');
    expect(bad({ days: ['mon', 'mon'] })).toThrow('windows.0.days: must not repeat a day');
    expect(bad({ days: ['monday'] })).toThrow('windows.0.days.0');
    expect(() => parseOrThrow(Schema, { ...base, windows: [], booked: ['yesterday'] }, 'input')).toThrow(
      /windows: .*booked\.0/,
    );
  });

  it('reads zone offsets from the tz database', () => {
    expect(offsetMinutes(DENVER, Date.parse('2025-01-15T12:00:00Z'))).toBe(-420);
    expect(offsetMinutes(DENVER, Date.parse('2025-07-15T12:00:00Z'))).toBe(-360);
    expect(offsetMinutes('Asia/Kathmandu', Date.parse('2025-07-15T12:00:00Z'))).toBe(345);
  });
});
