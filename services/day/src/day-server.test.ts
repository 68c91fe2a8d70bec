import { InboundMentions, SeedToSaleRecords } from '@forge/contracts';
import { createLogger } from '@forge/telemetry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DAY_DIR } from './config.js';
import type { DayClock } from './day-clock.js';
import { type DayServer, startDayServer } from './day-server.js';
import { rfc822 } from './feed-template.js';

const DENVER = 'America/Denver';
let dayNow = Date.parse('2025-06-10T16:00:00Z'); // 10:00 in Denver (MDT)
const clock: DayClock = { speed: 1, now: () => dayNow };
let server: DayServer;

beforeAll(async () => {
  server = await startDayServer({
    host: '127.0.0.1',
    port: 0,
    dir: DEFAULT_DAY_DIR,
    timeZone: DENVER,
    clock,
    logger: createLogger({ name: 'day-test', level: 'silent' }),
  });
});
afterAll(() => server.close());

const titles = (xml: string) => [...xml.matchAll(/<item>\s*<title>([^<]*)<\/title>/g)].map((m) => m[1]);

describe('the offline day server', () => {
  it('serves every shipped feed', () => {
    expect(server.feeds).toEqual([
      'agents-in-production.xml',
      'cannabis-business.xml',
      'growers-forum.xml',
      'operator-leverage.json',
      'rival-cultivator.xml',
      'rival-dispensary.xml',
    ]);
  });

  it('renders each story at its latest occurrence, newest first, dated and linked by that day', async () => {
    const res = await fetch(`${server.url}/feeds/cannabis-business.xml`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
    const xml = await res.text();
    // At 10:00: 09:20 (today) is the newest, 18:25 (yesterday) the oldest.
    expect(titles(xml)[0]).toBe('Seed-to-sale audit finds 1 in 5 manifests reconciled late');
    expect(titles(xml).at(-1)).toBe('Dispensary foot traffic dips as summer starts');
    expect(xml).toContain('https://cbd.example.com/2025/06/10/seed-to-sale-audit-late-manifests/');
    expect(xml).toContain('https://cbd.example.com/2025/06/09/zoning-board-grow-facility/');
    expect(xml).toContain('<pubDate>Tue, 10 Jun 2025 09:20:00 -0600</pubDate>');
    expect(xml).toContain('<lastBuildDate>Tue, 10 Jun 2025 09:20:00 -0600</lastBuildDate>');
    expect(xml).not.toContain('{{');
  });

  it('answers a conditional GET with 304 until a new story appears', async () => {
    const first = await fetch(`${server.url}/feeds/cannabis-business.xml`);
    const etag = first.headers.get('etag')!;
    const lastModified = first.headers.get('last-modified')!;
    expect(lastModified).toBe('Tue, 10 Jun 2025 15:20:00 GMT');
    expect(
      (await fetch(`${server.url}/feeds/cannabis-business.xml`, { headers: { 'if-none-match': etag } }))
        .status,
    ).toBe(304);
    expect(
      (
        await fetch(`${server.url}/feeds/cannabis-business.xml`, {
          headers: { 'if-modified-since': lastModified },
        })
      ).status,
    ).toBe(304);
    dayNow = Date.parse('2025-06-10T16:06:00Z'); // 10:06: the 10:05 story is out
    const later = await fetch(`${server.url}/feeds/cannabis-business.xml`, {
      headers: { 'if-none-match': etag },
    });
    expect(later.status).toBe(200);
    expect(later.headers.get('etag')).not.toBe(etag);
    expect(titles(await later.text())[0]).toBe('Dispensary foot traffic dips as summer starts');
    dayNow = Date.parse('2025-06-10T16:00:00Z');
  });

  it('renders JSON Feed and Atom templates too', async () => {
    const json = (await (await fetch(`${server.url}/feeds/operator-leverage.json`)).json()) as {
      items: { id: string; date_published: string }[];
    };
    expect(json.items.map((i) => i.id)).toEqual([
      '2025-06-10-seven-people',
      '2025-06-09-note',
      '2025-06-09-automation-debt',
    ]);
    expect(json.items[0]!.date_published).toBe('2025-06-10T06:45:00-06:00');
    const atom = await (await fetch(`${server.url}/feeds/agents-in-production.xml`)).text();
    expect(atom).toContain('<updated>2025-06-10T08:15:00-06:00</updated>');
  });

  it('replays a room’s recorded day: readings every step up to now, the 14:30 humidity excursion included', async () => {
    dayNow = Date.parse('2025-06-10T20:45:00Z'); // 14:45 in Denver
    const res = await fetch(`${server.url}/sensors/rooms/4/readings?minutes=30&step=5`);
    const body = (await res.json()) as {
      room: string;
      stage: string;
      readings: { metric: string; value: number; at: string }[];
    };
    expect(body).toMatchObject({ room: '4', roomName: 'flower room 4', stage: 'late-flower' });
    expect(body.readings).toHaveLength(7 * 3);
    const humidity = body.readings.filter((r) => r.metric === 'humidity');
    expect(humidity.at(-1)!.value).toBeGreaterThanOrEqual(60);
    // Timestamps are real time (a consumer's staleness check holds on a fast day).
    expect(Date.now() - Date.parse(humidity.at(-1)!.at)).toBeLessThan(5 * 60_000 + 1000);
    dayNow = Date.parse('2025-06-10T16:00:00Z');
  });

  it('names what is wrong with a request', async () => {
    expect((await fetch(`${server.url}/sensors/rooms/9/readings`)).status).toBe(404);
    const bad = await fetch(`${server.url}/sensors/rooms/4/readings?minutes=44000&step=1`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(
      /minutes: minutes \/ step must be at most 5000/,
    );
    expect((await fetch(`${server.url}/feeds/nope.xml`)).status).toBe(404);
  });

  it('serves the licence’s seed-to-sale records as of the day clock, in the contracts format', async () => {
    const res = await fetch(`${server.url}/metrc/records`);
    expect(res.status).toBe(200);
    const records = SeedToSaleRecords.parse(await res.json());
    expect(records).toMatchObject({ licenseNumber: '403R-00012', asOf: '2025-06-10T16:00:00.000Z' });
    expect(records.packages).toHaveLength(8);
    // Today's manifest is due at 15:00 Denver and unreported; yesterday's were reported in time.
    const unreported = records.manifests.filter((m) => m.reportedAt === null);
    expect(unreported).toEqual([
      expect.objectContaining({ manifestNumber: '0004412190', reportDeadline: '2025-06-10T21:00:00.000Z' }),
    ]);
    // A day later, every instant moved with it.
    dayNow = Date.parse('2025-06-11T16:00:00Z');
    const tomorrow = SeedToSaleRecords.parse(await (await fetch(`${server.url}/metrc/records`)).json());
    expect(tomorrow.manifests.at(-1)!.reportDeadline).toBe('2025-06-11T21:00:00.000Z');
    dayNow = Date.parse('2025-06-10T16:00:00Z');
  });

  it('answers the mentions of a window, each with an id that names its day', async () => {
    const window = async (query: string) => {
      const res = await fetch(`${server.url}/mentions${query}`);
      return InboundMentions.parse(await res.json()).mentions;
    };
    // 09:30-10:00 on the 10th: 09:55 only (09:27 is before the window).
    expect((await window('?minutes=30')).map((m) => m.id)).toEqual(['m-0955@2025-06-10']);
    // A window that ends at a tick, not at the moment asked.
    expect(
      (await window('?minutes=15&until=2025-06-10T15:30:00Z')).map((m) => [m.id, m.author, m.channel, m.at]),
    ).toEqual([['m-0927@2025-06-10', '@cannabiz_daily', 'x', '2025-06-10T15:27:00.000Z']]);
    // Never ahead of the day clock: a window asked to end later ends now (10:00, so 09:45-10:00).
    expect((await window('?minutes=15&until=2025-06-10T20:00:00Z')).map((m) => m.id)).toEqual([
      'm-0955@2025-06-10',
    ]);
    // Late evening mentions of the day before come with yesterday's date.
    // 20:00 on the 9th to 01:00 on the 10th.
    expect((await window('?minutes=300&until=2025-06-10T07:00:00Z')).map((m) => m.id)).toEqual([
      'm-2040@2025-06-09',
      'm-2215@2025-06-09',
    ]);
    const bad = await fetch(`${server.url}/mentions?minutes=0`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^minutes: /);
  });

  it('writes RFC 822 dates with the zone offset on both sides of DST', () => {
    expect(rfc822(Date.parse('2025-01-10T16:00:00Z'), DENVER)).toBe('Fri, 10 Jan 2025 09:00:00 -0700');
    expect(rfc822(Date.parse('2025-06-10T16:00:00Z'), DENVER)).toBe('Tue, 10 Jun 2025 10:00:00 -0600');
  });
});
