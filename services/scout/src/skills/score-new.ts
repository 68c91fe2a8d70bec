import type { SkillContext } from '@forge/agent-kit';
import { isForgeError, parseOrThrow, STORY_SURFACED, StorySurfaced } from '@forge/contracts';
import type { FeedState, ScoutItem, ScoutRepository } from '@forge/store';
import { z } from 'zod';
import { truncateText } from '../feed/html-text.js';
import type { FeedsConfig } from '../feeds-config.js';
import { ScoreHeadlinesInput, scoreHeadlines } from './score-headlines.js';

export const ScoreNewInput = z.object({
  /** At most this many items this run (default: the config's `scoring.maxPerRun`). */
  maxItems: z.number().int().min(1).max(2000).optional(),
  /** Headlines per model call (default: the config's `scoring.batchSize`). */
  batchSize: z.number().int().min(1).max(50).optional(),
  /** Surfacing threshold (default: the config's `scoring.threshold`). */
  threshold: z.number().min(0).max(1).optional(),
});
export type ScoreNewInput = z.input<typeof ScoreNewInput>;

export const ScoreNewOutput = z.object({
  scored: z.number().int().nonnegative(),
  batches: z.number().int().nonnegative(),
  /** Batches the model failed on: their items wait for the next run (up to the attempt limit). */
  failedBatches: z.array(z.object({ items: z.number().int(), error: z.string() })),
  /** Stories published as `scout.story-surfaced` this run, most relevant first. */
  surfaced: z.array(
    z.object({ hash: z.string(), title: z.string().nullable(), relevance: z.number(), feed: z.string() }),
  ),
  threshold: z.number(),
  /** Unscored items left for later runs. */
  remaining: z.number().int().nonnegative(),
  models: z.array(z.string()),
});
export type ScoreNewOutput = z.infer<typeof ScoreNewOutput>;

export interface ScoreNewDeps {
  feeds: FeedsConfig;
  repo: ScoutRepository;
}

/** How long a run holds the items it is scoring before another run may take them. */
const CLAIM_MS = 10 * 60_000;
/** A batch the model answered badly is tried again by a run starting this much later. */
const RETRY_BATCH_AFTER_MS = 60_000;
/** Most surfaced stories published per run (a backlog drains over the next runs). */
const SURFACE_LIMIT = 200;

/** A headline the rubric scorer can take: an item with no title is shown by its summary or link. */
function headlineOf(
  item: ScoutItem,
  feedName: string,
): z.input<typeof ScoreHeadlinesInput>['headlines'][number] {
  const title =
    item.title ?? (item.summary ? truncateText(item.summary, 120) : null) ?? item.link ?? item.hash;
  return {
    id: item.hash,
    title: truncateText(title, 500),
    ...(item.summary ? { summary: truncateText(item.summary, 2000) } : {}),
    source: feedName.slice(0, 200),
  };
}

function surfacedEvent(item: ScoutItem, feed: FeedState | undefined, threshold: number): StorySurfaced {
  return parseOrThrow(
    StorySurfaced,
    {
      item: {
        hash: item.hash,
        title: item.title === null ? null : truncateText(item.title, 500),
        link: item.link !== null && item.link.length <= 2000 ? item.link : null,
        summary: item.summary === null ? null : truncateText(item.summary, 2000),
        published: item.published,
        author: item.author === null ? null : truncateText(item.author, 200),
        categories: item.categories.slice(0, 50).map((c) => truncateText(c, 200)),
        feed: { id: item.feedId, title: feed?.title ?? null, tags: feed?.tags ?? [] },
        firstSeenAt: item.firstSeenAt,
      },
      score: {
        relevance: item.relevance,
        topics: item.topics ?? [],
        why: item.why,
        confidence: item.confidence,
        model: item.scoreModel,
        scoredAt: item.scoredAt,
      },
      threshold,
    },
    'story-surfaced event',
  );
}

/**
 * Scores the items fetching stored, in batches, against the rubric from config (small tier, through
 * the router's model gateway), stores each score, its topics and why, and publishes every story at
 * or over the threshold as `scout.story-surfaced` (then marks it, so it is published once; a story
 * published just before a crash is published again and the consumer de-duplicates by its hash).
 * Feed text is material for the model, never instructions (see the scorer's prompt).
 */
export async function scoreNew(
  input: z.output<typeof ScoreNewInput>,
  ctx: Pick<SkillContext, 'task' | 'models' | 'signal' | 'progress' | 'emit' | 'logger'>,
  deps: ScoreNewDeps,
): Promise<ScoreNewOutput> {
  const { scoring } = deps.feeds;
  const maxItems = input.maxItems ?? scoring.maxPerRun;
  const batchSize = input.batchSize ?? scoring.batchSize;
  const threshold = input.threshold ?? scoring.threshold;
  const feeds = new Map((await deps.repo.listFeeds()).map((f) => [f.id, f]));
  const configured = new Map(deps.feeds.feeds.map((f) => [f.id, f]));
  const nameOf = (id: string) => configured.get(id)?.title ?? feeds.get(id)?.title ?? id;
  const models = new Set<string>();
  const failedBatches: ScoreNewOutput['failedBatches'] = [];
  let scored = 0;
  let batches = 0;
  while (scored + failedBatches.reduce((n, b) => n + b.items, 0) < maxItems && !ctx.signal.aborted) {
    const take = Math.min(batchSize, maxItems - scored - failedBatches.reduce((n, b) => n + b.items, 0));
    const items = await deps.repo.claimUnscored({
      limit: take,
      claimMs: CLAIM_MS,
      maxAttempts: scoring.maxAttempts,
    });
    if (items.length === 0) break;
    batches++;
    try {
      const out = await scoreHeadlines(
        ScoreHeadlinesInput.parse({
          headlines: items.map((i) => headlineOf(i, nameOf(i.feedId))),
          rubric: scoring.rubric,
          threshold,
        }),
        ctx,
      );
      models.add(out.model);
      await deps.repo.recordScores(
        out.scores.map((s) => ({
          hash: s.id,
          relevance: s.relevance,
          topics: s.topics,
          why: s.take,
          confidence: s.confidence,
          model: out.model,
        })),
        ctx.task.id,
      );
      scored += items.length;
      await ctx.progress(
        `scored ${scored} item${scored === 1 ? '' : 's'} in ${batches} batch${batches === 1 ? '' : 'es'}`,
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // A model that is down (retryable) fails the run: it is retried whole (so the items are
      // free again at once), and no budget is spent on the next batches meanwhile. A bad answer
      // for this batch only skips the batch: its items wait for a later run, not this one.
      const giveUp = !isForgeError(error) || error.retryable || error.code === 'CANCELED';
      await deps.repo.releaseClaims(
        items.map((i) => i.hash),
        message,
        giveUp ? 0 : RETRY_BATCH_AFTER_MS,
      );
      if (giveUp) throw error;
      ctx.logger.warn(
        { items: items.length, err: message },
        'scoring batch failed; its items wait for the next run',
      );
      failedBatches.push({ items: items.length, error: message.slice(0, 500) });
    }
  }
  const surfaced: ScoreNewOutput['surfaced'] = [];
  for (const item of await deps.repo.unsurfaced(threshold, SURFACE_LIMIT)) {
    await ctx.emit(STORY_SURFACED.kind, surfacedEvent(item, feeds.get(item.feedId), threshold));
    await deps.repo.markSurfaced([item.hash]);
    surfaced.push({ hash: item.hash, title: item.title, relevance: item.relevance ?? 0, feed: item.feedId });
  }
  surfaced.sort((a, b) => b.relevance - a.relevance);
  return {
    scored,
    batches,
    failedBatches,
    surfaced,
    threshold,
    remaining: await deps.repo.countUnscored(scoring.maxAttempts),
    models: [...models],
  };
}

/** `scout.score-new`: relevance scoring of what fetching found, small tier; surfaces the best. */
export function scoreNewSkill(deps: () => ScoreNewDeps) {
  return {
    id: 'score-new',
    name: 'Score new stories',
    description:
      'Scores the stories fetching stored, in batches, against the relevance rubric from config on a ' +
      'small model; stores relevance, topics and why; publishes each story at or over the threshold ' +
      'as a story-surfaced event for the engagement agent.',
    tags: ['news', 'scoring', 'classification'],
    examples: ['{}', '{"maxItems":50,"threshold":0.7}'],
    tier: 'small' as const,
    input: ScoreNewInput,
    output: ScoreNewOutput,
    handler: (input: z.output<typeof ScoreNewInput>, ctx: SkillContext) => scoreNew(input, ctx, deps()),
  };
}
