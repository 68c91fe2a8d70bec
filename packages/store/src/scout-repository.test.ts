import { createHash, randomUUID } from 'node:crypto';
import { type TestBrain, testBrain } from '@forge/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quietLogger } from '../test/fixtures.js';
import { migrate } from './migrate.js';
import { createPool } from './pool.js';
import { schemaForBrain } from './schema-name.js';
import { type NewScoutItem, PgScoutRepository } from './scout-repository.js';

const hash = (text: string) => createHash('sha256').update(text).digest('hex');

function item(name: string): NewScoutItem {
  return {
    hash: hash(name),
    title: `Story ${name}`,
    link: `https://news.example.com/${name}`,
    guid: null,
    summary: `About ${name}`,
    author: null,
    categories: ['news'],
    published: '2025-06-10T04:00:00.000Z',
  };
}

describe('PgScoutRepository', () => {
  let brain: TestBrain;
  let pool: pg.Pool;
  let repo: PgScoutRepository;

  beforeAll(async () => {
    brain = await testBrain('scout');
    const schema = schemaForBrain(brain.name);
    await migrate({ databaseUrl: brain.databaseUrl, schema, logger: quietLogger() });
    pool = createPool({ connectionString: brain.databaseUrl, max: 4, logger: quietLogger() });
    repo = new PgScoutRepository(pool, schema);
    await repo.syncFeeds([
      { id: 'news', url: 'https://news.example.com/rss', tags: ['news'] },
      { id: 'rival', url: 'https://rival.example.com/feed', tags: ['competitor'] },
    ]);
  });
  afterAll(async () => {
    await pool.end();
    await brain.cleanup();
  });

  it('stores a story once across feeds and runs, returning only the new hashes', async () => {
    const first = await repo.insertNew('news', [item('a'), item('b')]);
    expect(first).toEqual([hash('a'), hash('b')]);
    // The same story from another feed, and again from the first: nothing new.
    expect(await repo.insertNew('rival', [item('a'), item('c')])).toEqual([hash('c')]);
    expect(await repo.insertNew('news', [item('a'), item('b')])).toEqual([]);
    expect(await repo.knownHashes([hash('a'), hash('zzz')])).toEqual(new Set([hash('a')]));
  });

  it('keeps validators on a 304 and a failure, replaces them on a 200, counts failures in a row', async () => {
    await repo.recordFetch('news', {
      status: 200,
      ok: true,
      etag: '"v1"',
      lastModified: 'Tue, 10 Jun 2025 04:00:00 GMT',
      title: 'News',
      newItems: 2,
    });
    await repo.recordFetch('news', { status: 304, ok: true, newItems: 0 });
    await repo.recordFetch('news', { status: null, ok: false, error: 'timeout after 10000 ms', newItems: 0 });
    await repo.recordFetch('news', { status: 500, ok: false, error: 'HTTP 500', newItems: 0 });
    let news = (await repo.listFeeds()).find((f) => f.id === 'news')!;
    expect(news).toMatchObject({
      etag: '"v1"',
      title: 'News',
      consecutiveFailures: 2,
      lastStatus: 500,
      itemsTotal: 2,
    });
    await repo.recordFetch('news', { status: 200, ok: true, etag: null, lastModified: null, newItems: 0 });
    news = (await repo.listFeeds()).find((f) => f.id === 'news')!;
    expect(news).toMatchObject({ etag: null, lastModified: null, consecutiveFailures: 0, lastError: null });
  });

  it('forgets validators when a feed moves to another URL', async () => {
    await repo.recordFetch('rival', { status: 200, ok: true, etag: '"r1"', newItems: 0 });
    await repo.syncFeeds([
      { id: 'rival', url: 'https://rival.example.com/feed', tags: ['competitor', 'cannabis'] },
    ]);
    expect((await repo.listFeeds()).find((f) => f.id === 'rival')).toMatchObject({
      etag: '"r1"',
      tags: ['competitor', 'cannabis'],
    });
    await repo.syncFeeds([{ id: 'rival', url: 'https://rival.example.com/atom', tags: ['competitor'] }]);
    expect((await repo.listFeeds()).find((f) => f.id === 'rival')).toMatchObject({
      etag: null,
      url: 'https://rival.example.com/atom',
    });
  });

  it('lets two concurrent scoring runs claim disjoint items, and stops after maxAttempts', async () => {
    await repo.insertNew('news', ['d', 'e', 'f', 'g'].map(item));
    const [one, two] = await Promise.all([
      repo.claimUnscored({ limit: 4, claimMs: 60_000, maxAttempts: 3 }),
      repo.claimUnscored({ limit: 4, claimMs: 60_000, maxAttempts: 3 }),
    ]);
    const claimed = [...one, ...two].map((i) => i.hash);
    expect(new Set(claimed).size).toBe(claimed.length);
    expect(claimed.length).toBe(7); // a b c d e f g
    expect(await repo.claimUnscored({ limit: 10, claimMs: 60_000, maxAttempts: 3 })).toEqual([]);
    // A failed call releases its claims; the items come back until they have used their attempts.
    await repo.releaseClaims(claimed, 'model said no');
    expect((await repo.claimUnscored({ limit: 10, claimMs: 60_000, maxAttempts: 2 })).length).toBe(7);
    await repo.releaseClaims(claimed, 'model said no again');
    expect(await repo.claimUnscored({ limit: 10, claimMs: 60_000, maxAttempts: 2 })).toEqual([]);
    expect(await repo.countUnscored(2)).toBe(0);
    expect(await repo.countUnscored(3)).toBe(7);
  });

  it('stores scores, surfaces those over the threshold once, and finds recent items by tag', async () => {
    const claimed = await repo.claimUnscored({ limit: 10, claimMs: 60_000, maxAttempts: 3 });
    const taskId = randomUUID();
    await repo.recordScores(
      claimed.map((i, n) => ({
        hash: i.hash,
        relevance: n === 0 ? 0.7 : 0.2,
        topics: n === 0 ? ['ai-agents'] : [],
        why: n === 0 ? 'worth a take' : null,
        confidence: 0.9,
        model: 'offline:small',
      })),
      taskId,
    );
    // 0.7 stays 0.7: scores are double precision, so a threshold equal to a score includes it.
    const over = await repo.unsurfaced(0.7, 10);
    expect(over.map((i) => i.hash)).toEqual([claimed[0]!.hash]);
    expect(over[0]).toMatchObject({
      relevance: 0.7,
      topics: ['ai-agents'],
      why: 'worth a take',
      scoreModel: 'offline:small',
    });
    expect(await repo.markSurfaced([claimed[0]!.hash])).toEqual([claimed[0]!.hash]);
    expect(await repo.markSurfaced([claimed[0]!.hash])).toEqual([]);
    expect(await repo.unsurfaced(0.7, 10)).toEqual([]);

    const since = new Date(Date.now() - 60_000).toISOString();
    const rival = await repo.recentItems({ tags: ['competitor'], since, limit: 10 });
    expect(rival.map((i) => i.hash)).toEqual([hash('c')]);
    const all = await repo.recentItems({ since, limit: 100 });
    expect(all.length).toBe(7);
    expect((await repo.recentItems({ since, limit: 100, minRelevance: 0.5 })).length).toBe(1);
  });
});
