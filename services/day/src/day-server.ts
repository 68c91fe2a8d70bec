import { readdir, readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Logger } from '@forge/telemetry';
import { z } from 'zod';
import type { DayClock } from './day-clock.js';
import { renderFeed } from './feed-template.js';
import { loadMentionsDay } from './mentions-day.js';
import { loadMetrcDay } from './metrc-day.js';
import { loadRooms, type Room, readings } from './sensor-day.js';

export interface DayServerOptions {
  host: string;
  port: number;
  /**
   * The day's files: `feeds/*.xml|json`, `sensors/rooms.json` with its profiles,
   * `metrc/records.json` and `mentions/mentions.json`.
   */
  dir: string;
  timeZone: string;
  clock: DayClock;
  logger: Logger;
}

export interface DayServer {
  readonly url: string;
  readonly feeds: readonly string[];
  close(): Promise<void>;
}

const ReadingsQuery = z
  .object({
    minutes: z.coerce
      .number()
      .int()
      .min(1)
      .max(31 * 24 * 60)
      .default(30),
    step: z.coerce.number().int().min(1).max(60).default(5),
  })
  .refine((q) => q.minutes / q.step <= 5000, {
    message: 'minutes / step must be at most 5000 samples',
    path: ['minutes'],
  });

const MentionsQuery = z.object({
  minutes: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(15),
  /** The window's end (the scheduler sends its tick); default now. Never later than now. */
  until: z.iso.datetime({ offset: true }).optional(),
});

function badQuery(res: ServerResponse, error: z.ZodError): void {
  json(res, 400, { error: error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** True when the client's validators match: ETag first (RFC 9110), else the date. */
function notModified(req: IncomingMessage, etag: string, lastModified: Date): boolean {
  const match = req.headers['if-none-match'];
  if (match !== undefined) return match.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
  const since = Date.parse(req.headers['if-modified-since'] ?? '');
  return Number.isFinite(since) && lastModified.getTime() <= since;
}

/**
 * The offline day on loopback: `GET /feeds/<file>` renders a shipped feed as of the day clock
 * (ETag and Last-Modified, 304 for a conditional GET that matches, gzip when asked), `GET
 * /sensors/rooms` lists the rooms and `GET /sensors/rooms/<room>/readings?minutes=30&step=5`
 * replays a room's recorded day; `GET /metrc/records` answers the licence's seed-to-sale records
 * as of the day clock (contracts `SeedToSaleRecords`), `GET /mentions?minutes=15&until=<ISO>` the
 * mentions that arrived in that window (contracts `InboundMentions`); `/livez`, `/readyz`, and
 * `/clock` (the day's time).
 */
export async function startDayServer(options: DayServerOptions): Promise<DayServer> {
  const feedsDir = join(options.dir, 'feeds');
  const templates = new Map<string, string>();
  for (const file of (await readdir(feedsDir)).filter((f) => /\.(xml|json)$/.test(f)).sort()) {
    templates.set(file, await readFile(join(feedsDir, file), 'utf8'));
  }
  const rooms: Map<string, Room> = await loadRooms(join(options.dir, 'sensors'));
  const { clock, timeZone, logger } = options;
  const metrc = await loadMetrcDay(options.dir, timeZone, clock.now());
  const mentions = await loadMentionsDay(options.dir, timeZone);

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://day.local');
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { error: 'only GET' });
    if (url.pathname === '/livez' || url.pathname === '/readyz') return json(res, 200, { status: 'ready' });
    if (url.pathname === '/clock') {
      return json(res, 200, { now: new Date(clock.now()).toISOString(), speed: clock.speed, timeZone });
    }
    const feed = /^\/feeds\/([\w.-]+)$/.exec(url.pathname)?.[1];
    if (feed !== undefined) {
      const template = templates.get(feed);
      if (!template) return json(res, 404, { error: `no feed ${feed}`, feeds: [...templates.keys()] });
      const rendered = renderFeed(template, feed, clock.now(), timeZone);
      const headers: Record<string, string> = {
        etag: rendered.etag,
        'last-modified': rendered.lastModified.toUTCString(),
        'content-type': rendered.contentType,
        'cache-control': 'max-age=0',
      };
      if (notModified(req, rendered.etag, rendered.lastModified))
        return void res.writeHead(304, headers).end();
      let body: Buffer = Buffer.from(rendered.body, 'utf8');
      if (/\bgzip\b/.test(req.headers['accept-encoding'] ?? '') && body.length > 1024) {
        body = gzipSync(body);
        headers['content-encoding'] = 'gzip';
      }
      res.writeHead(200, { ...headers, 'content-length': String(body.length) });
      return void res.end(req.method === 'HEAD' ? undefined : body);
    }
    if (url.pathname === '/sensors/rooms') {
      return json(res, 200, {
        rooms: [...rooms.values()].map(({ room, roomName, stage }) => ({ room, roomName, stage })),
      });
    }
    if (url.pathname === '/metrc/records') return json(res, 200, metrc.recordsAt(clock.now()));
    if (url.pathname === '/mentions') {
      const query = MentionsQuery.safeParse(Object.fromEntries(url.searchParams));
      if (!query.success) return badQuery(res, query.error);
      const now = clock.now();
      const until = Math.min(now, query.data.until ? Date.parse(query.data.until) : now);
      return json(res, 200, { mentions: mentions.between(until, query.data.minutes) });
    }
    const roomId = /^\/sensors\/rooms\/([A-Za-z0-9-]{1,40})\/readings$/.exec(url.pathname)?.[1];
    if (roomId !== undefined) {
      const room = rooms.get(roomId);
      if (!room) return json(res, 404, { error: `no room ${roomId}`, rooms: [...rooms.keys()] });
      const query = ReadingsQuery.safeParse(Object.fromEntries(url.searchParams));
      if (!query.success) return badQuery(res, query.error);
      return json(res, 200, {
        room: room.room,
        roomName: room.roomName,
        stage: room.stage,
        readings: readings(room, { ...query.data, dayNow: clock.now(), realNow: Date.now(), timeZone }),
      });
    }
    json(res, 404, { error: 'not found' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
  logger.info(
    { url, feeds: [...templates.keys()], rooms: [...rooms.keys()], speed: clock.speed, timeZone },
    `offline day on ${url}: ${templates.size} feeds, ${rooms.size} rooms, seed-to-sale records, ${mentions.count} mentions a day${clock.speed > 1 ? `, fast ×${clock.speed}` : ''}`,
  );
  return {
    url,
    feeds: [...templates.keys()],
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
