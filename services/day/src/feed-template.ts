import { createHash } from 'node:crypto';
import { addDays, formatLocal, LocalDates, offsetMinutes, zonedToUtc } from '@forge/zoned-time';

/**
 * A shipped feed file is a template of one day: every item carries its time of day in tokens
 * (`{{rfc822 07:45}}`, `{{iso 07:45}}`, `{{path 07:45}}` → 2025/06/10, `{{date 07:45}}` →
 * 2025-06-10), and the feed's own date is `{{rfc822 now}}` / `{{iso now}}`. At any moment the
 * feed holds each item's latest occurrence at or before now, newest first: the story of 07:45
 * appears at 07:45 with today's date in its link, and yesterday's stories make way for today's,
 * as in a real feed. Items are the `<item>` / `<entry>` elements, or a JSON Feed's `items`.
 */
export interface RenderedFeed {
  body: string;
  contentType: string;
  etag: string;
  /** The newest item's time: the feed's Last-Modified. */
  lastModified: Date;
}

const TOKEN = /\{\{(rfc822|iso|path|date) (\d{2}:\d{2}|now)\}\}/g;
const ITEM_TIME = /\{\{(?:rfc822|iso|path|date) (\d{2}:\d{2})\}\}/;
const XML_ITEM = /<(item|entry)\b[\s\S]*?<\/\1>/g;
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

interface Occurrence {
  at: number;
  localDate: string;
}

/** The latest instant at or before `now` whose wall time in `timeZone` is `time`. */
export function latestOccurrence(time: string, now: number, timeZone: string): Occurrence {
  const today = new LocalDates(timeZone).of(now);
  const at = zonedToUtc(today, time, timeZone).getTime();
  if (at <= now) return { at, localDate: today };
  const yesterday = addDays(today, -1);
  return { at: zonedToUtc(yesterday, time, timeZone).getTime(), localDate: yesterday };
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** RFC 822 with the zone's offset, as feeds write pubDate: `Tue, 10 Jun 2025 13:45:00 -0600`. */
export function rfc822(at: number, timeZone: string): string {
  const offset = offsetMinutes(timeZone, at);
  const wall = new Date(at + offset * 60_000);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return (
    `${DAYS[wall.getUTCDay()]}, ${pad(wall.getUTCDate())} ${MONTHS[wall.getUTCMonth()]} ${wall.getUTCFullYear()} ` +
    `${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}:00 ${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`
  );
}

function fill(
  text: string,
  item: Occurrence | null,
  newest: Occurrence,
  now: number,
  timeZone: string,
): string {
  return text.replace(TOKEN, (_all, kind: string, time: string) => {
    const occurrence =
      time === 'now' ? newest : item && time ? latestOccurrence(time, now, timeZone) : newest;
    switch (kind) {
      case 'rfc822':
        return rfc822(occurrence.at, timeZone);
      case 'iso':
        return formatLocal(occurrence.at, offsetMinutes(timeZone, occurrence.at));
      case 'path':
        return occurrence.localDate.replaceAll('-', '/');
      default:
        return occurrence.localDate;
    }
  });
}

interface Piece {
  text: string;
  occurrence: Occurrence | null;
}

function occurrenceOf(text: string, now: number, timeZone: string): Occurrence | null {
  const time = ITEM_TIME.exec(text)?.[1];
  return time ? latestOccurrence(time, now, timeZone) : null;
}

function newestOf(pieces: Piece[], now: number): Occurrence {
  const dated = pieces.map((p) => p.occurrence).filter((o): o is Occurrence => o !== null);
  return dated.reduce((a, b) => (b.at > a.at ? b : a), dated[0] ?? { at: now, localDate: '' });
}

function byNewest(a: Piece, b: Piece): number {
  return (b.occurrence?.at ?? Number.POSITIVE_INFINITY) - (a.occurrence?.at ?? Number.POSITIVE_INFINITY);
}

/** Renders a template at `now` (epoch ms, on the day's clock). */
export function renderFeed(template: string, fileName: string, now: number, timeZone: string): RenderedFeed {
  let body: string;
  let lastModified: number;
  if (fileName.endsWith('.json')) {
    const doc = JSON.parse(template) as { items?: unknown[] };
    const pieces = (doc.items ?? []).map((item) => {
      const text = JSON.stringify(item);
      return { text, occurrence: occurrenceOf(text, now, timeZone) };
    });
    const newest = newestOf(pieces, now);
    const items = pieces
      .sort(byNewest)
      .map((p) => JSON.parse(fill(p.text, p.occurrence, newest, now, timeZone)) as unknown);
    body = `${JSON.stringify({ ...JSON.parse(fill(JSON.stringify({ ...doc, items: [] }), null, newest, now, timeZone)), items }, null, 2)}\n`;
    lastModified = newest.at;
  } else {
    const matches = [...template.matchAll(XML_ITEM)];
    const first = matches[0];
    const last = matches.at(-1);
    const head = first ? template.slice(0, first.index) : template;
    const tail = last ? template.slice((last.index ?? 0) + last[0].length) : '';
    const pieces = matches.map((m) => ({ text: m[0], occurrence: occurrenceOf(m[0], now, timeZone) }));
    const newest = newestOf(pieces, now);
    const items = pieces.sort(byNewest).map((p) => fill(p.text, p.occurrence, newest, now, timeZone));
    body =
      fill(head, null, newest, now, timeZone) + items.join('\n') + fill(tail, null, newest, now, timeZone);
    lastModified = newest.at;
  }
  return {
    body,
    contentType: fileName.endsWith('.json')
      ? 'application/feed+json; charset=utf-8'
      : body.includes('<feed')
        ? 'application/atom+xml; charset=utf-8'
        : 'application/rss+xml; charset=utf-8',
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
    lastModified: new Date(Math.floor(lastModified / 1000) * 1000),
  };
}
