import type { Publication } from '@forge/store';

/** Where a post went: the channel's id for it and, when it has one, its public URL. */
export interface PublishReceipt {
  externalId: string;
  url: string | null;
}

/**
 * One interface for every channel a post can go to. `publish` must be idempotent on
 * `publication.idempotencyKey`: called again with the same key (a retry after a crash between
 * posting and recording it), it returns the first post's receipt instead of posting again.
 * A failure that another attempt cannot fix throws {@link PermanentPublishError}.
 */
export interface PublishChannel {
  readonly target: Publication['target'];
  publish(publication: Publication, signal?: AbortSignal): Promise<PublishReceipt>;
}

/** The channel refused the post for good (bad credentials, a rejected status): no retry. */
export class PermanentPublishError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentPublishError';
  }
}

/** HTTP statuses worth another attempt: timeouts, rate limits, server errors. */
export function retryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 425 || status === 429 || status >= 500;
}
