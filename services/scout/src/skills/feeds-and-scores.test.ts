import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SkillContext } from '@forge/agent-kit';
import { StorySurfaced } from '@forge/contracts';
import { createPool, migrate, PgScoutRepository, schemaForBrain } from '@forge/store';
import { createLogger } from '@forge/telemetry';
import { scriptedModelClient, type TestBrain, testBrain } from '@forge/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeedsConfig } from '../feeds-config.js';
import { fetchFeeds } from './fetch-feeds.js';
import { scoreNew } from './score-new.js';

const quiet = createLogger({ name: 'scout-test', level: 'silent' });
const corpus = (file: string) => readFileSync(new URL(`../../test/corpus/${file}`, import.meta.url), 'utf8');

/** The test's own feed server on 127.0.0.1 (the feeds are listed as local), whose content the test changes. */
let server: Server;
let base: string;
const docs = new Map<string, { body: string; etag: string }>();
const requests: Array<{ path: string; ifNoneMatch?: string }> = [];

let brain: TestBrain;
let pool: pg.Pool;
let repo: PgScoutRepository;

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push({
      path,
      ...(req.headers['if-none-match'] ? { ifNoneMatch: req.headers['if-none-match'] } : {}),
    });
    const doc = docs.get(path);
    if (!doc) return void res.writeHead(500).end();
    if (req.headers['if-none-match'] === doc.etag) return void res.writeHead(304, { etag: doc.etag }).end();
    res.writeHead(200, { etag: doc.etag, 'content-type': 'application/xml' }).end(doc.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  brain = await testBrain('scout');
  const schema = schemaForBrain(brain.name);
  await migrate({ databaseUrl: brain.databaseUrl, schema, logger: quiet });
  pool = createPool({ connectionString: brain.databaseUrl, max: 3, logger: quiet });
  repo = new PgScoutRepository(pool, schema);
});
afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await pool.end();
  await brain.cleanup();
});

function config(feeds: Array<{ id: string; path: string; tags?: string[]; local?: boolean }>) {
  return FeedsConfig.parse({
    fetch: { timeoutSeconds: 5 },
    scoring: { threshold: 0.6, batchSize: 2, maxAttempts: 2 },
    feeds: feeds.map((f) => ({
      id: f.id,
      url: `${base}${f.path}`,
      tags: f.tags ?? ['news'],
      local: f.local ?? true,
    })),
  });
}

function context(models = scriptedModelClient({}).models) {
  const events: Array<{ kind: string; data: Record<string, unknown> }> = [];
  const ctx = {
    task: {
      id: randomUUID(),
      skill: 'scout.score-new',
      origin: { kind: 'schedule', brain: brain.name, by: 'schedule:x' },
      contextId: 'c',
      attempt: 1,
    },
    signal: new AbortController().signal,
    logger: quiet,
    models,
    progress: async () => {},
    emit: async (kind: string, data: Record<string, unknown>) => {
      events.push({ kind, data });
    },
    requireInput: () => {
      throw new Error('no');
    },
  } as unknown as SkillContext;
  return { ctx, events };
}

describe('fetch-feeds and score-new (real Postgres, the test’s own feed server)', () => {
  it('stores new stories once across feeds and runs, with conditional GET, and records failures', async () => {
    docs.set('/wp.xml', { body: corpus('rss20-wordpress.xml'), etag: '"wp1"' });
    docs.set('/atom.xml', { body: corpus('atom10-blog.xml'), etag: '"a1"' });
    // The same WordPress story reached through another feed: one story.
    docs.set('/mirror.xml', {
      body: corpus('rss20-wordpress.xml').replace('Cannabis Business Daily', 'Mirror'),
      etag: '"m1"',
    });
    const feeds = config([
      { id: 'wp', path: '/wp.xml' },
      { id: 'atom', path: '/atom.xml', tags: ['competitor'] },
      { id: 'mirror', path: '/mirror.xml' },
      { id: 'down', path: '/down.xml' },
      { id: 'not-local', path: '/wp.xml', local: false },
    ]);
    const { ctx, events } = context();
    const first = await fetchFeeds({ tags: ['news', 'competitor'] }, ctx, { feeds, repo });
    const by = Object.fromEntries(first.feeds.map((f) => [f.id, f]));
    expect(by.wp).toMatchObject({ outcome: 'new-items', status: 200, entries: 2, newItems: 2 });
    expect(by.atom).toMatchObject({ outcome: 'new-items', newItems: 2 });
    expect(by.mirror).toMatchObject({ outcome: 'unchanged', entries: 2, newItems: 0 });
    expect(by.down).toMatchObject({
      outcome: 'failed',
      status: 500,
      error: 'http-status: HTTP 500 Internal Server Error',
    });
    expect(by['not-local']).toMatchObject({ outcome: 'failed', status: null });
    expect(by['not-local']!.error).toMatch(/^refused-address: 127\.0\.0\.1 is a private or loopback address/);
    expect(first.totals).toEqual({ feeds: 5, newItems: 4, notModified: 0, failed: 2 });
    expect(events).toEqual([
      expect.objectContaining({ kind: 'feeds-fetched', data: expect.objectContaining({ newItems: 4 }) }),
    ]);

    // Second run: the validators go back, unchanged feeds answer 304, nothing is stored twice.
    requests.length = 0;
    const second = await fetchFeeds({ feeds: ['wp', 'atom'] }, ctx, { feeds, repo });
    expect(second.feeds.map((f) => f.outcome)).toEqual(['not-modified', 'not-modified']);
    expect(requests.map((r) => r.ifNoneMatch)).toEqual(['"wp1"', '"a1"']);

    // The feed changes: only the new story is new.
    docs.set('/wp.xml', {
      body: corpus('rss20-wordpress.xml').replace(
        '<item>',
        '<item><title>Brand new story</title><link>https://cbd.example.com/new</link></item><item>',
      ),
      etag: '"wp2"',
    });
    const third = await fetchFeeds({ feeds: ['wp'] }, ctx, { feeds, repo });
    expect(third.feeds[0]).toMatchObject({ outcome: 'new-items', entries: 3, newItems: 1 });
    expect((await repo.listFeeds()).find((f) => f.id === 'wp')).toMatchObject({
      etag: '"wp2"',
      itemsTotal: 3,
    });
    expect(() => fetchFeeds({ feeds: ['nope'] }, ctx, { feeds, repo })).rejects.toThrow(
      /feeds: unknown feed "nope"/,
    );
  });

  it('scores new stories in batches, stores score, topics and why, and surfaces those over the threshold once', async () => {
    const feeds = config([
      { id: 'wp', path: '/wp.xml' },
      { id: 'atom', path: '/atom.xml', tags: ['competitor'] },
      { id: 'mirror', path: '/mirror.xml' },
      { id: 'down', path: '/down.xml' },
      { id: 'not-local', path: '/wp.xml', local: false },
    ]);
    const unscored = await repo.claimUnscored({ limit: 100, claimMs: 1, maxAttempts: 5 });
    await repo.releaseClaims(
      unscored.map((i) => i.hash),
      'test reset',
    );
    expect(unscored).toHaveLength(5);
    // The scripted model scores whatever ids it is asked about: the first of each batch high.
    const calls: string[][] = [];
    const models = {
      async call(request: { messages: Array<{ content: unknown }> }) {
        const ids = [...String(request.messages[0]!.content).matchAll(/<headline id="([0-9a-f]{64})"/g)].map(
          (m) => m[1]!,
        );
        calls.push(ids);
        return scriptedModelClient(
          {
            output: {
              scores: ids.map((id, i) => ({
                id,
                relevance: i === 0 ? 0.9 : 0.1,
                topics: i === 0 ? ['cannabis-operations'] : [],
                take: i === 0 ? 'Worth a take.' : null,
                confidence: 0.8,
              })),
            },
          },
          { tier: 'small', model: 'fake:small-1' },
        ).models.call(request as never);
      },
    };
    const { ctx, events } = context(models as never);
    const out = await scoreNew({}, ctx, { feeds, repo });
    expect(calls.map((c) => c.length)).toEqual([2, 2, 1]);
    expect(out).toMatchObject({
      scored: 5,
      batches: 3,
      failedBatches: [],
      remaining: 0,
      models: ['fake:small-1'],
      threshold: 0.6,
    });
    expect(out.surfaced).toHaveLength(3);
    const surfaced = events.filter((e) => e.kind === 'story-surfaced');
    expect(surfaced).toHaveLength(3);
    for (const event of surfaced) {
      const data = StorySurfaced.parse(event.data);
      expect(data.score).toMatchObject({
        relevance: 0.9,
        topics: ['cannabis-operations'],
        why: 'Worth a take.',
        model: 'fake:small-1',
      });
      expect(data.threshold).toBe(0.6);
    }
    // Published once: a second run has nothing to score and nothing to surface.
    const again = await scoreNew({}, ctx, { feeds, repo });
    expect(again).toMatchObject({ scored: 0, batches: 0, surfaced: [] });
    expect(events.filter((e) => e.kind === 'story-surfaced')).toHaveLength(3);
  });

  it('keeps a batch the model answered badly for the next run, up to the attempt limit', async () => {
    const feeds = config([{ id: 'wp', path: '/wp.xml' }]);
    docs.set('/wp.xml', { body: corpus('rss20-entities.xml'), etag: '"e1"' });
    const { ctx } = context();
    await fetchFeeds({}, ctx, { feeds, repo });
    const bad = scriptedModelClient({ output: { scores: [] } }, { tier: 'small' });
    const { ctx: badCtx } = context(bad.models);
    const out = await scoreNew({ batchSize: 5 }, badCtx, { feeds, repo });
    expect(out.scored).toBe(0);
    expect(out.failedBatches).toHaveLength(1);
    expect(out.failedBatches[0]!.error).toMatch(/ids not scored/);
    expect(out.remaining).toBe(5);
    // Not again in the same minute; the next run (its claims expired) tries once more.
    expect((await scoreNew({ batchSize: 5 }, badCtx, { feeds, repo })).batches).toBe(0);
    await pool.query(
      `UPDATE ${schemaForBrain(brain.name)}.scout_items SET score_claimed_until = now() - interval '1 second'`,
    );
    expect((await scoreNew({ batchSize: 5 }, badCtx, { feeds, repo })).failedBatches).toHaveLength(1);
    // maxAttempts 2: the items are given up on, not retried for ever.
    expect(await repo.countUnscored(2)).toBe(0);
  });
});
