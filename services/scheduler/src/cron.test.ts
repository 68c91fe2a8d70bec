import { describe, expect, it } from 'vitest';
import { CronSchedule } from './cron.js';

const DENVER = 'America/Denver';
const iso = (d: Date | null) => d?.toISOString() ?? null;

function runsBetween(cron: CronSchedule, from: string, to: string): string[] {
  const out: string[] = [];
  for (let at = cron.nextAfter(new Date(from)); at && at < new Date(to); at = cron.nextAfter(at))
    out.push(at.toISOString());
  return out;
}

describe('CronSchedule (DST, America/Denver 2025)', () => {
  it('runs a daily 02:30 at 03:00 local on the spring-forward day (02:30 does not exist), then at 02:30 again', () => {
    const cron = new CronSchedule('30 2 * * *', DENVER);
    expect(runsBetween(cron, '2025-03-08T00:00:00Z', '2025-03-11T00:00:00Z')).toEqual([
      '2025-03-08T09:30:00.000Z', // 02:30 MST
      '2025-03-09T09:00:00.000Z', // 03:00 MDT, the first valid time after the gap
      '2025-03-10T08:30:00.000Z', // 02:30 MDT
    ]);
  });

  it('runs a daily 01:30 once on the fall-back day, though 01:30 happens twice', () => {
    const cron = new CronSchedule('30 1 * * *', DENVER);
    expect(runsBetween(cron, '2025-11-01T12:00:00Z', '2025-11-04T00:00:00Z')).toEqual([
      '2025-11-02T07:30:00.000Z', // the first 01:30 (MDT); the second (MST, 08:30Z) does not run
      '2025-11-03T08:30:00.000Z',
    ]);
  });

  it('keeps an interval job on its real interval across both transitions', () => {
    const every30 = new CronSchedule('*/30 * * * *', DENVER);
    const fall = runsBetween(every30, '2025-11-02T07:00:00Z', '2025-11-02T09:01:00Z');
    // 01:00, 01:30 MDT, 01:00, 01:30 MST, 02:00 MST: every 30 real minutes, nothing doubled or lost.
    expect(fall).toEqual([
      '2025-11-02T07:30:00.000Z',
      '2025-11-02T08:00:00.000Z',
      '2025-11-02T08:30:00.000Z',
      '2025-11-02T09:00:00.000Z',
    ]);
    const spring = runsBetween(every30, '2025-03-09T08:00:00Z', '2025-03-09T09:31:00Z');
    expect(spring).toEqual([
      '2025-03-09T08:30:00.000Z',
      '2025-03-09T09:00:00.000Z',
      '2025-03-09T09:30:00.000Z',
    ]);
  });

  it('looks back the way it looks forward: after the repeated hour the fall-back 01:30 is still the first', () => {
    const daily = new CronSchedule('30 1 * * *', DENVER);
    for (const at of ['2025-11-02T07:45:00Z', '2025-11-02T08:45:00Z', '2025-11-02T12:00:00Z'])
      expect(iso(daily.latestAtOrBefore(new Date(at))), at).toBe('2025-11-02T07:30:00.000Z');
    const spring = new CronSchedule('30 2 * * *', DENVER);
    expect(iso(spring.latestAtOrBefore(new Date('2025-03-09T12:00:00Z')))).toBe('2025-03-09T09:00:00.000Z');
  });

  it('makes a missed stretch due once: the newest tick only', () => {
    const cron = new CronSchedule('*/30 * * * *', DENVER);
    const last = new Date('2025-06-10T08:00:00Z');
    // Down for five hours: ten ticks missed, one is due, the newest.
    expect(iso(cron.due(new Date('2025-06-10T13:07:00Z'), last))).toBe('2025-06-10T13:00:00.000Z');
    // Nothing new since the last claimed tick.
    expect(cron.due(new Date('2025-06-10T08:29:59Z'), last)).toBeNull();
    // A tick exactly now is due now.
    expect(iso(cron.due(new Date('2025-06-10T08:30:00Z'), last))).toBe('2025-06-10T08:30:00.000Z');
  });

  it('reads six fields as seconds first, and refuses a bad expression naming it', () => {
    const everySecond = new CronSchedule('* * * * * *', 'UTC');
    expect(iso(everySecond.nextAfter(new Date('2025-06-10T00:00:00.400Z')))).toBe('2025-06-10T00:00:01.000Z');
    expect(() => new CronSchedule('61 * * * *', 'UTC')).toThrow(
      /cron "61 \* \* \* \*": Invalid value for minute: 61/,
    );
    expect(() => new CronSchedule('* * *', 'UTC')).toThrow(/five, six, or seven/);
  });
});
