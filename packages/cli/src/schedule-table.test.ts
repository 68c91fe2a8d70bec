import type { ScheduleView } from '@forge/contracts';
import { describe, expect, it } from 'vitest';
import { localTime, runLine, scheduleTable } from './schedule-table.js';

const base: ScheduleView = {
  name: 'fetch-news-feeds',
  description: 'fetch',
  cron: '*/30 * * * *',
  timeZone: 'America/Denver',
  skill: 'scout.fetch-feeds',
  tier: 'tool',
  skillRegistered: true,
  paused: false,
  pausedBy: null,
  pausedAt: null,
  nextRunAt: '2025-06-10T16:30:00.000Z',
  lastRun: {
    tickAt: '2025-06-10T16:00:00.000Z',
    trigger: 'tick',
    outcome: 'submitted',
    reason: null,
    taskId: '6f1d1c2e-4a53-4a6e-9e0a-1d3f5b7c9e11',
    state: 'completed',
    tier: 'tool',
    error: null,
    createdAt: '2025-06-10T16:00:01.000Z',
    updatedAt: '2025-06-10T16:00:03.000Z',
  },
};

describe('forge schedule list table', () => {
  it('shows times on the schedule’s own wall clock, DST included', () => {
    expect(localTime('2025-06-10T16:30:00.000Z', 'America/Denver')).toBe('Jun 10 10:30 MDT');
    expect(localTime('2025-01-10T16:30:00.000Z', 'America/Denver')).toBe('Jan 10 09:30 MST');
    expect(localTime(null, 'UTC')).toBe('-');
  });

  it('says what became of the last run', () => {
    expect(runLine(base.lastRun, 'America/Denver')).toBe('Jun 10 10:00 MDT completed at tool');
    expect(
      runLine(
        {
          ...base.lastRun!,
          trigger: 'catch-up',
          state: 'failed',
          error: { code: 'UNAVAILABLE', message: 'x' },
        },
        'UTC',
      ),
    ).toBe('Jun 10 16:00 UTC (catch-up) failed at tool: UNAVAILABLE');
    expect(runLine({ ...base.lastRun!, outcome: 'skipped-overlap', state: null, tier: null }, 'UTC')).toBe(
      'Jun 10 16:00 UTC skipped-overlap',
    );
    expect(runLine(null, 'UTC')).toBe('never');
  });

  it('lines the columns up and notes the schedules waiting for a skill', () => {
    const waiting: ScheduleView = {
      ...base,
      name: 'publish-due-posts',
      cron: '*/5 * * * *',
      skill: 'publisher.publish-due',
      tier: null,
      skillRegistered: false,
      paused: true,
      pausedBy: 'operator',
      nextRunAt: null,
      lastRun: null,
    };
    const lines = scheduleTable([base, waiting], '2 schedules');
    expect(lines[0]).toBe('2 schedules');
    expect(lines[1]).toMatch(/^schedule +cron +skill +tier +next run +last run$/);
    expect(lines[2]).toBe(
      'fetch-news-feeds   */30 * * * *  scout.fetch-feeds                tool  Jun 10 10:30 MDT    Jun 10 10:00 MDT completed at tool',
    );
    expect(lines[3]).toBe(
      'publish-due-posts  */5 * * * *   publisher.publish-due (missing)  -     paused by operator  never',
    );
    expect(lines[4]).toMatch(/^1 schedule\(s\) wait for a skill/);
  });
});
