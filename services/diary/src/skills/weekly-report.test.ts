import { parseOrThrow } from '@forge/contracts';
import { describe, expect, it } from 'vitest';
import { leafVpd } from '../sensors/metrics.js';
import { WeeklyReportInput, weeklyReport } from './weekly-report.js';

const hour = (day: number, h: number) => new Date(Date.UTC(2025, 5, 9 + day, h)).toISOString();

/** Hourly temperature and humidity for a week starting Monday 2025-06-09 (UTC), all in the veg band. */
function steadyWeek() {
  const readings = [];
  for (let day = 0; day < 7; day++) {
    for (let h = 0; h < 24; h++) {
      readings.push({ metric: 'temperature' as const, value: 25, at: hour(day, h) });
      readings.push({ metric: 'humidity' as const, value: 60, at: hour(day, h) });
    }
  }
  return readings;
}

describe('weeklyReport', () => {
  it('fills the template with stats, daily means and highlights, deriving VPD when no sensor reported', () => {
    const out = weeklyReport({
      room: '4',
      stage: 'veg',
      weekStart: '2025-06-09',
      readings: steadyWeek(),
      notes: ['Defoliated Tuesday.'],
    });
    expect(out.readingsUsed).toBe(336);
    expect(out.stats.temperature).toMatchObject({
      count: 168,
      min: 25,
      max: 25,
      mean: 25,
      inRangePct: 100,
      excursions: 0,
      worst: null,
    });
    expect(out.stats.vpd).toMatchObject({ count: 168, derived: true, inRangePct: 100 });
    expect(out.stats.vpd?.mean).toBeCloseTo(leafVpd(25, 60, -2), 9);
    expect(out.stats.co2).toBeNull();
    expect(out.report).toContain('# Cultivation report: room 4, week of 2025-06-09');
    expect(out.report).toContain('Stage: veg. 336 readings, 2025-06-09 to 2025-06-15.');
    expect(out.report).toContain('| temperature | 25.0 °C | 25.0 °C | 25.0 °C | 22.0–28.0 °C | 100% | 0 |');
    expect(out.report).toContain(
      '| VPD (derived) | 0.91 kPa | 0.91 kPa | 0.91 kPa | 0.80–1.20 kPa | 100% | 0 |',
    );
    expect(out.report).toContain('| Mon 2025-06-09 | 25.0 °C | 60% | 0.91 kPa | – |');
    expect(out.report).toContain('- Temperature stayed within its 22.0–28.0 °C target all week.');
    expect(out.report).toContain('- VPD (derived from temperature and humidity) stayed within');
    expect(out.report).toContain('- No CO2 readings this week.');
    expect(out.report).toContain('## Notes\n\n- Defoliated Tuesday.');
    expect(out.report).not.toMatch(/\{\w+\}/);
  });

  it('counts excursions as runs and names the worst reading and its day', () => {
    const readings = [
      { metric: 'vpd' as const, value: 1.0, at: hour(0, 1) },
      { metric: 'vpd' as const, value: 1.5, at: hour(0, 2) },
      { metric: 'vpd' as const, value: 1.6, at: hour(0, 3) },
      { metric: 'vpd' as const, value: 1.0, at: hour(0, 4) },
      { metric: 'vpd' as const, value: 0.3, at: hour(3, 5) },
      { metric: 'vpd' as const, value: 1.1, at: hour(3, 6) },
    ];
    const out = weeklyReport({ room: '4', stage: 'veg', weekStart: '2025-06-09', readings });
    expect(out.stats.vpd).toMatchObject({ count: 6, excursions: 2, inRangePct: 50, derived: false });
    expect(out.stats.vpd?.worst).toEqual({ value: 0.3, at: hour(3, 5) });
    expect(out.report).toContain(
      '- VPD was in range for 50% of readings, with 2 excursions; the worst was 0.30 kPa on Thu 2025-06-12.',
    );
  });

  it('assigns readings to local dates in the room time zone and ignores those outside the week', () => {
    const readings = [
      // 2025-06-09T05:00Z is still Sunday 2025-06-08 in Denver (-06:00): outside the week.
      { metric: 'co2' as const, value: 800, at: '2025-06-09T05:00:00Z' },
      { metric: 'co2' as const, value: 900, at: '2025-06-09T07:00:00Z' },
      { metric: 'co2' as const, value: 1000, at: '2025-06-16T05:59:00Z' },
      { metric: 'co2' as const, value: 1100, at: '2025-06-16T06:00:00Z' },
    ];
    const out = weeklyReport({
      room: '4',
      stage: 'veg',
      weekStart: '2025-06-09',
      timeZone: 'America/Denver',
      readings,
    });
    expect(out).toMatchObject({ readingsUsed: 2, readingsOutsideWeek: 2 });
    expect(out.report).toMatch(/\| Mon 2025-06-09 \| – \| – \| – \| 900 ppm \|/);
    expect(out.report).toMatch(/\| Sun 2025-06-15 \| – \| – \| – \| 1000 ppm \|/);
  });

  it('rejects impossible readings from the statistics and converts °F', () => {
    const readings = [
      { metric: 'humidity' as const, value: 140, at: hour(1, 1) },
      { metric: 'humidity' as const, value: 50, at: hour(1, 2) },
      { metric: 'temperature' as const, value: 77, unit: 'F' as const, at: hour(1, 2) },
    ];
    const out = weeklyReport({ room: '4', stage: 'veg', weekStart: '2025-06-09', readings });
    expect(out).toMatchObject({ readingsUsed: 2, readingsRejected: 1 });
    expect(out.stats.humidity).toMatchObject({ count: 1, max: 50 });
    expect(out.stats.temperature?.mean).toBeCloseTo(25, 9);
  });

  it('fills a custom template and refuses unknown placeholders naming the field', () => {
    const out = weeklyReport({
      room: '4',
      roomName: 'Veg room',
      stage: 'veg',
      weekStart: '2025-06-09',
      readings: [],
      template: '{room} / {stage} / {readingCount}',
    });
    expect(out.report).toBe('Veg room / veg / 0');
    expect(() =>
      parseOrThrow(
        WeeklyReportInput,
        { room: '4', stage: 'veg', weekStart: '2025-06-09', readings: [], template: '{yield}' },
        'input',
      ),
    ).toThrow('template: may only use the placeholders');
    expect(() =>
      parseOrThrow(
        WeeklyReportInput,
        { room: '4', stage: 'bloom', weekStart: '2025-06-09', readings: [] },
        'input',
      ),
    ).toThrow('stage');
  });
});
