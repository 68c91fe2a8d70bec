import type { Publication } from '@forge/store';
import {
  PermanentPublishError,
  type PublishChannel,
  type PublishReceipt,
  retryableStatus,
} from './publish-channel.js';

/**
 * Posts each publication as JSON to a webhook (a Zapier/n8n hook, a team's own poster) with the
 * `Idempotency-Key` header: the receiver de-duplicates a retried post by it. The answer may name
 * `{ id, url }`; otherwise the key is the post's id.
 */
export class WebhookChannel implements PublishChannel {
  readonly target = 'webhook' as const;
  readonly #url: string;
  readonly #token: string | undefined;
  readonly #fetch: typeof fetch;

  constructor(opts: { url: string; token?: string | undefined; fetch?: typeof fetch }) {
    this.#url = opts.url;
    this.#token = opts.token;
    this.#fetch = opts.fetch ?? fetch;
  }

  async publish(p: Publication, signal?: AbortSignal): Promise<PublishReceipt> {
    const res = await this.#fetch(this.#url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': p.idempotencyKey,
        ...(this.#token ? { authorization: `Bearer ${this.#token}` } : {}),
      },
      body: JSON.stringify({
        event: 'post.publish',
        publicationId: p.id,
        approvalId: p.approvalId,
        channel: p.channel,
        text: p.body,
        card: p.card
          ? { mediaType: 'image/png', pngBase64: p.card.pngBase64, altText: p.card.altText }
          : null,
      }),
      signal: signal ?? AbortSignal.timeout(30_000),
    });
    if (!res.ok) {
      const message = `webhook answered ${res.status}`;
      if (retryableStatus(res.status)) throw new Error(message);
      throw new PermanentPublishError(message);
    }
    const body = (await res.json().catch(() => ({}))) as { id?: unknown; url?: unknown };
    return {
      externalId:
        typeof body.id === 'string' || typeof body.id === 'number' ? String(body.id) : p.idempotencyKey,
      url: typeof body.url === 'string' ? body.url : null,
    };
  }
}
