import { parseOrThrow } from '@forge/contracts';
import { zonedToUtc } from '@forge/zoned-time';
import { describe, expect, it } from 'vitest';
import { PlanWeekInput, planWeek } from './plan-week.js';

const THEMES = [
  { id: 'routing', label: 'the routing layer', weight: 2 },
  { id: 'grow-room', label: 'the grow room' },
  { id: 'operator', label: 'operator leverage' },
];

describe('planWeek', () => {
  it('spreads each cadence evenly over open days and fills briefs from the template', () => {
    const out = planWeek({
      weekStart: '2025-06-09',
      timeZone: 'America/Denver',
      channels: [{ channel: 'x', postsPerWeek: 3, times: ['09:30'] }],
      themes: THEMES,
    });
    expect(out.entries.map((e) => `${e.weekday} ${e.time}`)).toEqual(['mon 09:30', 'wed 09:30', 'fri 09:30']);
    expect(out.entries[0]).toEqual({
      id: '2025-06-09.x.0930',
      date: '2025-06-09',
      weekday: 'mon',
      time: '09:30',
      at: '2025-06-09T15:30:00.000Z',
      channel: 'x',
      theme: 'routing',
      format: 'take',
      brief: 'Monday: take on x about the routing layer',
      pinned: false,
    });
    expect(out.entries.map((e) => e.format)).toEqual(['take', 'thread', 'take']);
    expect(out.unfilled).toEqual([]);
  });

  it('is deterministic and shares themes by weight', () => {
    const input = {
      weekStart: '2025-06-09',
      channels: [
        { channel: 'x', postsPerWeek: 7, days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const },
        { channel: 'linkedin', postsPerWeek: 5 },
      ],
      themes: THEMES,
    };
    const a = planWeek({
      ...input,
      channels: input.channels.map((c) => ({ ...c, days: c.days ? [...c.days] : undefined })),
    });
    const b = planWeek({
      ...input,
      channels: input.channels.map((c) => ({ ...c, days: c.days ? [...c.days] : undefined })),
    });
    expect(a).toEqual(b);
    expect(a.perChannel).toEqual({ x: 7, linkedin: 5 });
    // Weights 2:1:1 over 12 posts.
    expect(a.perTheme).toEqual({ routing: 6, 'grow-room': 3, operator: 3 });
    // Two posts on one day never share a theme while another is free.
    for (const date of new Set(a.entries.map((e) => e.date))) {
      const themes = a.entries.filter((e) => e.date === date).map((e) => e.theme);
      expect(new Set(themes).size).toBe(themes.length);
    }
  });

  it('places pinned template slots first and spreads the rest around them', () => {
    const out = planWeek({
      weekStart: '2025-06-09',
      channels: [{ channel: 'instagram', postsPerWeek: 3 }],
      themes: THEMES,
      pinned: [{ day: 'fri', channel: 'instagram', theme: 'grow-room' }],
    });
    expect(out.entries.map((e) => [e.weekday, e.theme, e.pinned])).toEqual([
      ['tue', 'routing', false],
      ['thu', 'operator', false],
      ['fri', 'grow-room', true],
    ]);
    expect(out.entries.map((e) => e.format)).toEqual(['photo', 'carousel', 'reel']);
  });

  it('uses second posting times when a cadence exceeds the open days, and reports what does not fit', () => {
    const out = planWeek({
      weekStart: '2025-06-09',
      channels: [
        { channel: 'x', postsPerWeek: 7, times: ['15:00', '09:00'] },
        { channel: 'blog', postsPerWeek: 3, days: ['wed'] },
      ],
      themes: THEMES,
      skipDates: ['2025-06-11'],
    });
    const x = out.entries.filter((e) => e.channel === 'x');
    expect(x.filter((e) => e.time === '09:00').map((e) => e.weekday)).toEqual(['mon', 'tue', 'thu', 'fri']);
    expect(x.filter((e) => e.time === '15:00').map((e) => e.weekday)).toEqual(['mon', 'thu', 'fri']);
    expect(x.some((e) => e.weekday === 'wed')).toBe(false);
    expect(out.unfilled).toEqual([
      { channel: 'blog', wanted: 3, placed: 0, reason: 'only 0 free slots (0 open days × 1 times)' },
    ]);
  });

  it('keeps themes to the channels they are for', () => {
    const out = planWeek({
      weekStart: '2025-06-09',
      channels: [
        { channel: 'x', postsPerWeek: 5 },
        { channel: 'blog', postsPerWeek: 1, days: ['thu'] },
      ],
      themes: [
        { id: 'long-read', channels: ['blog'] },
        { id: 'quick-take', channels: ['x'] },
      ],
    });
    expect(out.entries.filter((e) => e.channel === 'blog').map((e) => e.theme)).toEqual(['long-read']);
    expect(new Set(out.entries.filter((e) => e.channel === 'x').map((e) => e.theme))).toEqual(
      new Set(['quick-take']),
    );
  });

  it('converts local times to UTC across a DST change', () => {
    const out = planWeek({
      weekStart: '2025-03-03',
      timeZone: 'America/Denver',
      channels: [
        {
          channel: 'x',
          postsPerWeek: 7,
          days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
          times: ['02:30'],
        },
      ],
      themes: THEMES,
    });
    const sunday = out.entries.find((e) => e.weekday === 'sun')!;
    // 02:30 does not exist on 2025-03-09 in Denver: it becomes 03:30 MDT.
    expect(sunday.at).toBe('2025-03-09T09:30:00.000Z');
    expect(out.entries.find((e) => e.weekday === 'sat')!.at).toBe('2025-03-08T09:30:00.000Z');
    expect(zonedToUtc('2025-11-02', '01:30', 'America/Denver').toISOString()).toBe(
      '2025-11-02T07:30:00.000Z',
    );
  });

  it('validates input naming the field', () => {
    const ok = { weekStart: '2025-06-09', channels: [{ channel: 'x', postsPerWeek: 1 }], themes: THEMES };
    const check = (patch: Record<string, unknown>) => () =>
      parseOrThrow(PlanWeekInput, { ...ok, ...patch }, 'input');
    expect(check({ weekStart: '2025-06-10' })).toThrow('weekStart: must be a Monday');
    expect(check({ timeZone: 'Nowhere/City' })).toThrow('timeZone: must be an IANA time zone');
    expect(check({ pinned: [{ day: 'mon', channel: 'tiktok', theme: 'routing' }] })).toThrow(
      'pinned.0.channel: unknown channel "tiktok"',
    );
    expect(check({ pinned: [{ day: 'mon', channel: 'x', theme: 'nope' }] })).toThrow(
      'pinned.0.theme: unknown theme "nope"',
    );
    expect(check({ briefTemplate: '{theme} for {audience}' })).toThrow(
      'briefTemplate: may only use the placeholders',
    );
    expect(check({ skipDates: ['2025-07-04'] })).toThrow(
      'skipDates.0: must be within 2025-06-09..2025-06-15',
    );
    expect(check({ themes: [...THEMES, THEMES[0]] })).toThrow('themes.3: duplicate "routing"');
    expect(check({ themes: [{ id: 'only-blog', channels: ['x2'] }] })).toThrow(
      /themes\.0\.channels\.0: unknown channel "x2"/,
    );
  });
});
