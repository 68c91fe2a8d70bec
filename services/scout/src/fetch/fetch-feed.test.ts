import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isNonPublicAddress } from './address-guard.js';
import { type FetchFeedOptions, fetchFeed } from './fetch-feed.js';
import { guardedLookup, RefusedAddressError } from './guarded-lookup.js';

const FEED = '<rss version="2.0"><channel><title>T</title><item><title>A</title></item></channel></rss>';

/** The test's own feed server on 127.0.0.1 (listed as local in the options below). */
let server: Server;
let base: string;
const seen: Array<Record<string, string | string[] | undefined>> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.headers);
    const path = req.url ?? '/';
    if (path === '/feed.xml') {
      if (req.headers['if-none-match'] === '"v1"') return void res.writeHead(304).end();
      res.writeHead(200, {
        'content-type': 'application/rss+xml; charset=utf-8',
        etag: '"v1"',
        'last-modified': 'Tue, 10 Jun 2025 04:00:00 GMT',
      });
      return void res.end(FEED);
    }
    if (path === '/gzip.xml') {
      res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-encoding': 'gzip' });
      return void res.end(gzipSync(FEED));
    }
    if (path === '/bomb.xml') {
      // 2 MB of spaces compress to a few kB: the limit counts the decoded bytes.
      res.writeHead(200, { 'content-encoding': 'gzip' });
      return void res.end(gzipSync(Buffer.alloc(2_000_000, 0x20)));
    }
    if (path === '/big.xml') {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let sent = 0;
      const push = () => {
        while (sent < 40 && res.write(chunk)) sent++;
        if (sent < 40) res.once('drain', push);
        else res.end();
      };
      return void push();
    }
    if (path === '/declared-big.xml') {
      res.writeHead(200, { 'content-length': String(5_000_000) });
      return void res.end();
    }
    if (path === '/slow') return; // never answers
    if (path === '/moved') return void res.writeHead(301, { location: '/feed.xml' }).end();
    if (path === '/temporary') return void res.writeHead(302, { location: '/moved' }).end();
    const loop = /^\/loop\/(\d+)$/.exec(path);
    if (loop) return void res.writeHead(302, { location: `/loop/${Number(loop[1]) + 1}` }).end();
    if (path === '/to-file') return void res.writeHead(302, { location: 'file:///etc/passwd' }).end();
    res.writeHead(503, 'Service Unavailable').end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const local: FetchFeedOptions = {
  allowPrivate: true,
  timeoutMs: 2_000,
  maxBytes: 1_000_000,
  maxRedirects: 3,
  userAgent: 'forge-scout-test',
};

describe('fetchFeed', () => {
  it('fetches, keeps the validators, and gets a 304 when sending them back', async () => {
    const first = await fetchFeed(`${base}/feed.xml`, local);
    expect(first).toMatchObject({
      kind: 'fetched',
      status: 200,
      etag: '"v1"',
      lastModified: 'Tue, 10 Jun 2025 04:00:00 GMT',
    });
    if (first.kind !== 'fetched') throw new Error('not fetched');
    expect(Buffer.from(first.body).toString('utf8')).toBe(FEED);
    expect(first.contentType).toBe('application/rss+xml; charset=utf-8');
    const again = await fetchFeed(`${base}/feed.xml`, {
      ...local,
      etag: first.etag,
      lastModified: first.lastModified,
    });
    expect(again).toMatchObject({ kind: 'not-modified', status: 304 });
    const sent = seen.at(-1)!;
    expect(sent['if-none-match']).toBe('"v1"');
    expect(sent['if-modified-since']).toBe('Tue, 10 Jun 2025 04:00:00 GMT');
    expect(sent['user-agent']).toBe('forge-scout-test');
    expect(sent['accept-encoding']).toContain('gzip');
  });

  it('decodes gzip and counts the decoded size against the cap', async () => {
    const gz = await fetchFeed(`${base}/gzip.xml`, local);
    expect(gz.kind === 'fetched' && Buffer.from(gz.body).toString('utf8')).toBe(FEED);
    expect(await fetchFeed(`${base}/bomb.xml`, local)).toMatchObject({ kind: 'failed', reason: 'too-large' });
  });

  it('stops reading past the size cap, and refuses a declared length over it at once', async () => {
    expect(await fetchFeed(`${base}/big.xml`, local)).toMatchObject({ kind: 'failed', reason: 'too-large' });
    expect(await fetchFeed(`${base}/declared-big.xml`, local)).toMatchObject({
      kind: 'failed',
      reason: 'too-large',
    });
  });

  it('gives up at the deadline', async () => {
    const result = await fetchFeed(`${base}/slow`, { ...local, timeoutMs: 200 });
    expect(result).toMatchObject({ kind: 'failed', reason: 'timeout', status: null });
  });

  it('says a canceled fetch was canceled, not timed out', async () => {
    const controller = new AbortController();
    const pending = fetchFeed(`${base}/slow`, { ...local, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect(await pending).toMatchObject({ kind: 'failed', reason: 'aborted' });
  });

  it('follows redirects up to the limit, and reports a permanent move', async () => {
    const moved = await fetchFeed(`${base}/moved`, local);
    expect(moved).toMatchObject({ kind: 'fetched', url: `${base}/feed.xml`, movedTo: `${base}/feed.xml` });
    // A temporary hop first: the feed did not move for good.
    expect(await fetchFeed(`${base}/temporary`, local)).toMatchObject({ kind: 'fetched', movedTo: null });
    const loop = await fetchFeed(`${base}/loop/0`, local);
    expect(loop).toMatchObject({ kind: 'failed', reason: 'too-many-redirects' });
    expect(await fetchFeed(`${base}/to-file`, local)).toMatchObject({ kind: 'failed', reason: 'bad-url' });
  });

  it('reports an HTTP error status', async () => {
    expect(await fetchFeed(`${base}/nope`, local)).toMatchObject({
      kind: 'failed',
      reason: 'http-status',
      status: 503,
      message: 'HTTP 503 Service Unavailable',
    });
  });

  it('refuses loopback and private addresses unless the feed is listed as local', async () => {
    const guarded = { ...local, allowPrivate: false };
    expect(await fetchFeed(`${base}/feed.xml`, guarded)).toMatchObject({
      kind: 'failed',
      reason: 'refused-address',
    });
    // By name: the address is checked when the socket connects.
    const port = (server.address() as AddressInfo).port;
    const byName = await fetchFeed(`http://localhost:${port}/feed.xml`, guarded);
    expect(byName).toMatchObject({ kind: 'failed', reason: 'refused-address' });
    expect(await fetchFeed('http://[::ffff:169.254.169.254]/latest/meta-data', guarded)).toMatchObject({
      reason: 'refused-address',
    });
    expect(await fetchFeed('ftp://example.com/feed', guarded)).toMatchObject({ reason: 'bad-url' });
    expect(await fetchFeed('http://user:pw@example.com/feed', guarded)).toMatchObject({ reason: 'bad-url' });
  });
});

describe('address guard', () => {
  it.each([
    ['127.0.0.1', true],
    ['10.1.2.3', true],
    ['172.31.255.255', true],
    ['172.32.0.1', false],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['::1', true],
    ['fe80::1', true],
    ['fd12:3456::1', true],
    ['::ffff:10.0.0.1', true],
    ['::ffff:8.8.8.8', false],
    ['8.8.8.8', false],
    ['2606:4700:4700::1111', false],
    ['not-an-ip', true],
  ])('%s is non-public: %s', (address, expected) => {
    expect(isNonPublicAddress(address)).toBe(expected);
  });

  it('refuses a name that resolves to a private address at connect time (DNS rebinding)', async () => {
    const lookup = guardedLookup(((_host: string, _opts: unknown, cb: (e: null, a: unknown[]) => void) =>
      cb(null, [
        { address: '93.184.216.34', family: 4 },
        { address: '10.0.0.7', family: 4 },
      ])) as never);
    const error = await new Promise<unknown>((resolve) =>
      lookup('feeds.example.com', { all: true }, (err: unknown) => resolve(err)),
    );
    expect(error).toBeInstanceOf(RefusedAddressError);
    const publicOnly = guardedLookup(((_h: string, _o: unknown, cb: (e: null, a: unknown[]) => void) =>
      cb(null, [{ address: '93.184.216.34', family: 4 }])) as never);
    const one = await new Promise<unknown[]>((resolve) =>
      publicOnly('feeds.example.com', {}, (...args: unknown[]) => resolve(args)),
    );
    expect(one).toEqual([null, '93.184.216.34', 4]);
  });
});
