import type { Publication } from '@forge/store';
import type { mastodon } from 'masto';
import {
  PermanentPublishError,
  type PublishChannel,
  type PublishReceipt,
  retryableStatus,
} from './publish-channel.js';

/**
 * Mastodon through its official JavaScript client (`masto`): the card, when there is one, is
 * uploaded as media with its alt text, then the status is created with the publication's
 * idempotency key as Mastodon's `Idempotency-Key` header, which the server honours for an hour:
 * a retried create returns the first status instead of posting twice.
 */
export class MastodonChannel implements PublishChannel {
  readonly target = 'mastodon' as const;
  readonly #opts: { url: string; accessToken: string; timeoutMs?: number };
  #client: Promise<mastodon.rest.Client> | undefined;

  constructor(opts: { url: string; accessToken: string; timeoutMs?: number }) {
    this.#opts = opts;
  }

  /** The client loads on the first publish, so a service posting to the outbox never loads it. */
  #connect(): Promise<mastodon.rest.Client> {
    this.#client ??= import('masto').then(({ createRestAPIClient }) =>
      createRestAPIClient({
        url: this.#opts.url,
        accessToken: this.#opts.accessToken,
        timeout: this.#opts.timeoutMs ?? 30_000,
      }),
    );
    return this.#client;
  }

  async publish(p: Publication): Promise<PublishReceipt> {
    try {
      const client = await this.#connect();
      const mediaIds: string[] = [];
      if (p.card) {
        const media = await client.v2.media.create({
          file: new Blob([Buffer.from(p.card.pngBase64, 'base64')], { type: 'image/png' }),
          description: p.card.altText,
        });
        mediaIds.push(media.id);
      }
      const status = await client.v1.statuses.create(
        { status: p.body, visibility: 'public', ...(mediaIds.length ? { mediaIds } : {}) },
        { requestInit: { headers: { 'Idempotency-Key': p.idempotencyKey } } },
      );
      return { externalId: status.id, url: status.url ?? status.uri ?? null };
    } catch (error) {
      const status = (error as { statusCode?: unknown }).statusCode;
      if (typeof status === 'number' && !retryableStatus(status)) {
        throw new PermanentPublishError(
          `mastodon refused the post (${status}): ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
      throw error;
    }
  }
}
