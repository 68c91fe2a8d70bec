// biome-ignore-all lint/suspicious/noTemplateCurlyInString: YAML with ${NAME} references, not templates
import { readFileSync } from 'node:fs';
import { isForgeError } from '@forge/contracts';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SCHEDULES_PATH } from './config.js';
import { parseSchedules } from './schedules-config.js';
import { fillTickTokens } from './tick-input.js';

const VARS = { FORGE_DAY_URL: 'http://127.0.0.1:7349' };

describe('the shipped schedules (config/schedules.yaml)', () => {
  const schedules = parseSchedules(readFileSync(DEFAULT_SCHEDULES_PATH, 'utf8'), VARS);

  it('are the seed operator’s 16 scheduled tasks, across its six agents', () => {
    expect(schedules.list).toHaveLength(16);
    const agents = new Set(schedules.list.map((s) => s.skill.split('.')[0]));
    expect([...agents].sort()).toEqual([
      'compliance',
      'diary',
      'engagement',
      'marketing',
      'publisher',
      'scout',
    ]);
    expect(schedules.list.every((s) => s.timeZone === 'America/Denver')).toBe(true);
  });

  it('fetch the news feeds every 30 minutes, as the seed says', () => {
    const fetch = schedules.byName.get('fetch-news-feeds')!;
    expect(fetch).toMatchObject({
      cron: '*/30 * * * *',
      skill: 'scout.fetch-feeds',
      input: { tags: ['news'] },
    });
    const day = [];
    for (
      let at = fetch.cronSchedule.nextAfter(new Date('2025-06-10T06:00:00Z'));
      day.length < 48;
      at = fetch.cronSchedule.nextAfter(at!)
    )
      day.push(at);
    expect(day.at(-1)!.getTime() - day[0]!.getTime()).toBe(47 * 30 * 60_000);
  });

  it('point every input source at the offline day server', () => {
    const sourced = schedules.list.filter((s) => s.inputFrom);
    const kind = (s: (typeof sourced)[number]) => Object.keys(s.inputFrom!).join();
    expect(sourced.map((s) => [s.name, kind(s)])).toEqual([
      ['triage-mentions', 'mentions'],
      ['metrc-reconciliation', 'seedToSaleRecords'],
      ['manifest-window-check', 'seedToSaleRecords'],
      ['sensor-alerts-flower-room', 'sensorReadings'],
      ['sensor-alerts-veg-room', 'sensorReadings'],
      ['weekly-cultivation-report', 'sensorReadings'],
    ]);
    expect(sourced[3]!.inputFrom!.sensorReadings?.url).toBe('http://127.0.0.1:7349/sensors/rooms/4/readings');
    expect(sourced[0]!.inputFrom!.mentions).toEqual({
      url: 'http://127.0.0.1:7349/mentions',
      minutes: 15,
      maxMinutes: 1440,
    });
    expect(sourced[1]!.inputFrom!.seedToSaleRecords?.url).toBe('http://127.0.0.1:7349/metrc/records');
  });

  it('take exactly one input source a schedule', () => {
    const yaml = (from: string) => `
schedules:
  - name: two
    description: two sources
    cron: "*/5 * * * *"
    skill: compliance.reconcile-records
    inputFrom:
${from}`;
    expect(() =>
      parseSchedules(
        yaml(
          '      seedToSaleRecords: { url: "http://127.0.0.1:1/metrc/records" }\n      mentions: { url: "http://127.0.0.1:1/mentions", minutes: 15 }\n',
        ),
        {},
      ),
    ).toThrow(/schedules\[0\]\.inputFrom: name exactly one source: .* \(schedules\.yaml line 8\)/);
    expect(() =>
      parseSchedules(yaml('      mentions: { url: "http://127.0.0.1:1/mentions" }\n'), {}),
    ).toThrow(/schedules\[0\]\.inputFrom\.mentions\.minutes: .* \(schedules\.yaml line 8\)/);
  });

  it('need FORGE_DAY_URL for the sensor sources', () => {
    expect(() => parseSchedules(readFileSync(DEFAULT_SCHEDULES_PATH, 'utf8'), {})).toThrow(
      /\$\{FORGE_DAY_URL\} is not set/,
    );
  });
});

describe('parseSchedules', () => {
  it('names every bad field with its line', () => {
    const text = [
      'timeZone: Mars/Olympus',
      'schedules:',
      '  - name: Bad Name',
      '    description: x',
      '    cron: "61 * * * *"',
      '    skill: scout',
      '  - name: ok',
      '    description: y',
      '    cron: "* * * * *"',
      '    skill: scout.fetch-feeds',
      '    overlap: sometimes',
    ].join('\n');
    let error: unknown;
    try {
      parseSchedules(text, VARS);
    } catch (caught) {
      error = caught;
    }
    expect(isForgeError(error, 'BAD_CONFIG')).toBe(true);
    const issues = (error as { details: { issues: string[] } }).details.issues.join('\n');
    expect(issues).toMatch(/timeZone: must be an IANA time zone .* line 1/);
    expect(issues).toMatch(/schedules\[0\]\.name: must be 1-63 .* line 3/);
    expect(issues).toMatch(/schedules\[0\]\.skill: must be <agent>\.<skill>.* line 6/);
    expect(issues).toMatch(/schedules\[1\]\.overlap: .* line 11/);
  });

  it('refuses a cron expression croner cannot read, and duplicate names', () => {
    const one = (name: string, cron: string) =>
      `  - { name: ${name}, description: d, cron: "${cron}", skill: a.b }`;
    expect(() => parseSchedules(['schedules:', one('a', '61 * * * *')].join('\n'), VARS)).toThrow(
      /schedules\[0\]\.cron: cron "61 \* \* \* \*": Invalid value for minute/,
    );
    expect(() =>
      parseSchedules(['schedules:', one('a', '* * * * *'), one('a', '* * * * *')].join('\n'), VARS),
    ).toThrow(/schedules\[1\]\.name: duplicate schedule "a"/);
  });
});

describe('tick tokens', () => {
  it('end the weekly blog post’s story window at the tick, so a retried run picks the same stories', () => {
    const shipped = parseSchedules(readFileSync(DEFAULT_SCHEDULES_PATH, 'utf8'), VARS);
    const blog = shipped.list.find((s) => s.name === 'weekly-blog-post')!;
    const tick = new Date('2025-06-11T16:00:00Z');
    expect(fillTickTokens(blog.input, tick, blog.timeZone)).toEqual({
      storyDays: 7,
      until: '2025-06-11T16:00:00.000Z',
    });
  });

  it('fill the tick instant and local dates, shifted by days', () => {
    // 2025-06-09T05:00Z is 23:00 on 8 June in Denver: the local date, not the UTC one.
    const tick = new Date('2025-06-09T05:00:00Z');
    expect(
      fillTickTokens(
        { a: '{{tick.date}}', b: ['{{tick.date+1d}}', 'week of {{tick.date-7d}}'], c: '{{tick.iso}}', d: 3 },
        tick,
        'America/Denver',
      ),
    ).toEqual({
      a: '2025-06-08',
      b: ['2025-06-09', 'week of 2025-06-01'],
      c: '2025-06-09T05:00:00.000Z',
      d: 3,
    });
  });
});
