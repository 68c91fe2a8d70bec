import type { Publication } from '@forge/store';
import type { Logger } from '@forge/telemetry';
import { PermanentPublishError } from './channels/publish-channel.js';
import type { PublisherDeps } from './publisher-deps.js';

export interface PublishOutcome {
  publicationId: string;
  approvalId: string;
  channel: string;
  status: 'published' | 'retrying' | 'failed';
  externalId: string | null;
  url: string | null;
  error: string | null;
}

/** The `post-published` event the diary and the marketing reports read. */
export function publishedEvent(p: Publication, o: PublishOutcome): Record<string, unknown> {
  return {
    approvalId: p.approvalId,
    publicationId: p.id,
    channel: p.channel,
    target: p.target,
    externalId: o.externalId,
    chars: p.body.length,
  };
}

/** Delay before attempt n+1 of a publish that failed: 30 s, 2 min, 8 min, ... capped at 1 h. */
export function retryDelayMs(attempts: number): number {
  return Math.min(3_600_000, 30_000 * 4 ** Math.max(0, attempts - 1));
}

/**
 * Publishes every due publication once: each is claimed under a lease (a second publisher, or a
 * second run, skips it), posted through the channel with its idempotency key, then recorded. A
 * crash after the channel took the post and before it was recorded leaves the lease to expire;
 * the next claim posts again with the same key and the channel returns the first post.
 */
export async function publishDuePosts(
  deps: Pick<PublisherDeps, 'publications' | 'channel' | 'day'>,
  opts: {
    now: Date;
    limit: number;
    logger: Logger;
    onPublished?: (p: Publication, o: PublishOutcome) => Promise<void>;
  },
): Promise<PublishOutcome[]> {
  const { publications, channel, day } = deps;
  const claimed = await publications.claimDue(opts.now, day.publisher.leaseMs, opts.limit);
  const outcomes: PublishOutcome[] = [];
  for (const p of claimed) {
    const base = { publicationId: p.id, approvalId: p.approvalId, channel: p.channel };
    try {
      const receipt = await channel.publish(p);
      await publications.markPublished(p.id, receipt);
      const outcome: PublishOutcome = { ...base, status: 'published', ...receipt, error: null };
      outcomes.push(outcome);
      await opts.onPublished?.(p, outcome);
    } catch (error) {
      const message = (error as Error).message;
      const final = error instanceof PermanentPublishError || p.attempts >= day.publisher.maxAttempts;
      await publications.markFailed(
        p.id,
        message,
        final ? null : new Date(opts.now.getTime() + retryDelayMs(p.attempts)),
      );
      opts.logger.warn({ publicationId: p.id, attempts: p.attempts, final, err: message }, 'publish failed');
      outcomes.push({
        ...base,
        status: final ? 'failed' : 'retrying',
        externalId: null,
        url: null,
        error: message,
      });
    }
  }
  return outcomes;
}
