import type { PgPublicationRepository, Publication } from '@forge/store';
import type { PublishChannel, PublishReceipt } from './publish-channel.js';

/**
 * The default channel: the post is stored in the brain's `outbox_posts` (viewable with the
 * `publisher.outbox` skill), sent nowhere. Keyed by the idempotency key, so it posts once.
 */
export class OutboxChannel implements PublishChannel {
  readonly target = 'outbox' as const;
  readonly #repo: PgPublicationRepository;

  constructor(repo: PgPublicationRepository) {
    this.#repo = repo;
  }

  async publish(publication: Publication): Promise<PublishReceipt> {
    const { post } = await this.#repo.postToOutbox({
      idempotencyKey: publication.idempotencyKey,
      publicationId: publication.id,
      channel: publication.channel,
      body: publication.body,
      card: publication.card,
    });
    return { externalId: `outbox:${post.idempotencyKey.slice(0, 16)}`, url: null };
  }
}
