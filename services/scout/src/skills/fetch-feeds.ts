import type { SkillContext } from '@forge/agent-kit';
import { ForgeError, isForgeError } from '@forge/contracts';
import type { ScoutRepository } from '@forge/store';
import { z } from 'zod';
import { decodeFeedBody } from '../feed/feed-body.js';
import type { FeedListingConfig, FeedsConfig } from '../feeds-config.js';
import { type FeedFetchResult, type FetchFeedOptions, fetchFeed } from '../fetch/fetch-feed.js';
import { parseFeed } from './parse-feed.js';

const Kebab = z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'must be kebab-case');

export const FetchFeedsInput = z.object({
  /** Feed ids from the feeds config; all feeds when neither this nor `tags` is given. */
  feeds: z.array(Kebab).max(500).optional(),
  /** Feeds carrying any of these tags (`news`, `competitor`). */
  tags: z.array(Kebab).max(20).optional(),
});
export type FetchFeedsInput = z.input<typeof FetchFeedsInput>;

const FeedOutcome = z.enum(['new-items', 'unchanged', 'not-modified', 'failed']);

export const FetchFeedsOutput = z.object({
  feeds: z.array(
    z.object({
      id: z.string(),
      outcome: FeedOutcome,
      /** HTTP status (304 included); null when no answer came. */
      status: z.number().int().nullable(),
      /** Entries in the document. */
      entries: z.number().int().nonnegative(),
      /** Stories stored for the first time (not seen in any feed before). */
      newItems: z.number().int().nonnegative(),
      /** Why it failed: the fetch (timeout, refused address, too large, HTTP status) or the document. */
      error: z.string().nullable(),
      /** A 301/308 chain moved the feed here: update the config. */
      movedTo: z.string().nullable(),
      durationMs: z.number().int().nonnegative(),
    }),
  ),
  totals: z.object({
    feeds: z.number().int(),
    newItems: z.number().int(),
    notModified: z.number().int(),
    failed: z.number().int(),
  }),
});
export type FetchFeedsOutput = z.infer<typeof FetchFeedsOutput>;
type FeedReport = FetchFeedsOutput['feeds'][number];

/** What fetching needs: the feeds config, the scout's tables, and the HTTP client (tests pass their own). */
export interface FetchFeedsDeps {
  feeds: FeedsConfig;
  repo: ScoutRepository;
  fetch?: (url: string, options: FetchFeedOptions) => Promise<FeedFetchResult>;
}

/** The feeds a run covers: named ids (each must exist), else tagged ones, else all. */
export function selectFeeds(
  config: FeedsConfig,
  input: z.output<typeof FetchFeedsInput>,
): FeedListingConfig[] {
  if (input.feeds?.length) {
    const byId = new Map(config.feeds.map((f) => [f.id, f]));
    const unknown = input.feeds.filter((id) => !byId.has(id));
    if (unknown.length > 0) {
      throw new ForgeError('BAD_INPUT', `feeds: unknown feed ${unknown.map((id) => `"${id}"`).join(', ')}`, {
        retryable: false,
        details: { field: 'feeds', known: [...byId.keys()] },
      });
    }
    return input.feeds.map((id) => byId.get(id)!);
  }
  if (input.tags?.length) return config.feeds.filter((f) => f.tags.some((t) => input.tags!.includes(t)));
  return config.feeds;
}

async function fetchOne(
  feed: FeedListingConfig,
  deps: FetchFeedsDeps,
  state: { etag: string | null; lastModified: string | null } | undefined,
  signal: AbortSignal,
): Promise<FeedReport> {
  const started = Date.now();
  const { fetch: limits } = deps.feeds;
  const result = await (deps.fetch ?? fetchFeed)(feed.url, {
    allowPrivate: feed.local,
    timeoutMs: limits.timeoutSeconds * 1000,
    maxBytes: limits.maxBytes,
    maxRedirects: limits.maxRedirects,
    userAgent: limits.userAgent,
    etag: state?.etag ?? null,
    lastModified: state?.lastModified ?? null,
    signal,
  });
  const report = (r: Omit<FeedReport, 'id' | 'durationMs'>): FeedReport => ({
    id: feed.id,
    ...r,
    durationMs: Date.now() - started,
  });
  if (result.kind === 'failed') {
    await deps.repo.recordFetch(feed.id, {
      status: result.status,
      ok: false,
      error: result.message,
      newItems: 0,
    });
    return report({
      outcome: 'failed',
      status: result.status,
      entries: 0,
      newItems: 0,
      error: `${result.reason}: ${result.message}`,
      movedTo: null,
    });
  }
  if (result.kind === 'not-modified') {
    await deps.repo.recordFetch(feed.id, { status: 304, ok: true, newItems: 0 });
    return report({
      outcome: 'not-modified',
      status: 304,
      entries: 0,
      newItems: 0,
      error: null,
      movedTo: result.movedTo,
    });
  }
  let parsed: ReturnType<typeof parseFeed>;
  try {
    parsed = parseFeed({
      xml: decodeFeedBody(result.body, result.contentType),
      feedUrl: result.url,
      maxItems: 2000,
    });
  } catch (error) {
    if (!isForgeError(error, 'BAD_INPUT')) throw error;
    // The server answered, but not with a feed we can read: keep the old validators, so the
    // next run fetches it again in full rather than being told "not modified".
    await deps.repo.recordFetch(feed.id, { status: 200, ok: false, error: error.message, newItems: 0 });
    return report({
      outcome: 'failed',
      status: 200,
      entries: 0,
      newItems: 0,
      error: error.message,
      movedTo: result.movedTo,
    });
  }
  const fresh = await deps.repo.insertNew(
    feed.id,
    parsed.items.map((i) => ({
      hash: i.hash,
      title: i.title,
      link: i.link,
      guid: i.guid,
      summary: i.summary,
      author: i.author,
      categories: i.categories,
      published: i.published,
    })),
  );
  await deps.repo.recordFetch(feed.id, {
    status: 200,
    ok: true,
    etag: result.etag,
    lastModified: result.lastModified,
    title: parsed.feed.title,
    newItems: fresh.length,
  });
  return report({
    outcome: fresh.length > 0 ? 'new-items' : 'unchanged',
    status: 200,
    entries: parsed.counts.total,
    newItems: fresh.length,
    error: null,
    movedTo: result.movedTo,
  });
}

/**
 * Fetches the selected feeds (a few at once) with conditional GET, parses them, and stores the
 * stories no feed brought before (by content hash, so de-duplication holds across feeds and
 * runs). A feed that fails is recorded with its reason and the others go on; the run fails only
 * when Postgres does. Plain code, no model: the tool tier, $0.
 */
export async function fetchFeeds(
  input: z.output<typeof FetchFeedsInput>,
  ctx: Pick<SkillContext, 'signal' | 'progress' | 'emit' | 'logger'>,
  deps: FetchFeedsDeps,
): Promise<FetchFeedsOutput> {
  const selected = selectFeeds(deps.feeds, input);
  await deps.repo.syncFeeds(deps.feeds.feeds.map((f) => ({ id: f.id, url: f.url, tags: f.tags })));
  const states = new Map((await deps.repo.listFeeds()).map((s) => [s.id, s]));
  const reports: FeedReport[] = new Array(selected.length);
  let next = 0;
  const worker = async () => {
    while (next < selected.length && !ctx.signal.aborted) {
      const index = next++;
      const feed = selected[index]!;
      reports[index] = await fetchOne(feed, deps, states.get(feed.id), ctx.signal);
    }
  };
  await Promise.all(Array.from({ length: Math.min(deps.feeds.fetch.concurrency, selected.length) }, worker));
  if (ctx.signal.aborted) throw ctx.signal.reason;
  const totals = {
    feeds: reports.length,
    newItems: reports.reduce((n, r) => n + r.newItems, 0),
    notModified: reports.filter((r) => r.outcome === 'not-modified').length,
    failed: reports.filter((r) => r.outcome === 'failed').length,
  };
  for (const r of reports.filter((r) => r.movedTo))
    ctx.logger.warn({ feed: r.id, movedTo: r.movedTo }, 'feed moved permanently: update the feeds config');
  if (totals.newItems > 0 || totals.failed > 0) {
    await ctx.emit('feeds-fetched', {
      newItems: totals.newItems,
      failed: reports.filter((r) => r.outcome === 'failed').map((r) => ({ feed: r.id, error: r.error })),
    });
  }
  return { feeds: reports, totals };
}

/** `scout.fetch-feeds`: the seed's RSS fetcher, every 30 minutes, $0. */
export function fetchFeedsSkill(deps: () => FetchFeedsDeps) {
  return {
    id: 'fetch-feeds',
    name: 'Fetch feeds',
    description:
      'Fetches the configured RSS, Atom and JSON feeds (all, by id, or by tag such as competitor) with ' +
      'conditional GET, stores the stories no feed brought before (de-duplicated by content hash across ' +
      'feeds and runs), and reports per feed. Plain code, no model.',
    tags: ['rss', 'atom', 'fetch', 'dedupe'],
    examples: ['{}', '{"tags":["competitor"]}'],
    tier: 'tool' as const,
    input: FetchFeedsInput,
    output: FetchFeedsOutput,
    handler: (input: z.output<typeof FetchFeedsInput>, ctx: SkillContext) => fetchFeeds(input, ctx, deps()),
  };
}
