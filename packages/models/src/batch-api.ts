import type { ForgeError } from '@forge/contracts';
import type { ProviderRequest, ProviderResult } from './provider.js';

/** One request of a batch: `customId` (`[A-Za-z0-9_-]{1,64}`) names it in the results. */
export interface BatchItem {
  customId: string;
  request: ProviderRequest;
}

/** Where a vendor batch stands, in Forge's terms. */
export interface BatchStatus {
  /** The vendor's batch id. */
  id: string;
  /**
   * `in_progress`: still running; `canceling`: a cancel was asked and is being applied; `ended`:
   * done (completed, expired or canceled), its results can be read; `failed`: the vendor refused
   * the batch as a whole (no results will come).
   */
  state: 'in_progress' | 'canceling' | 'ended' | 'failed';
  /** The vendor's own status word (`in_progress`, `finalizing`, `expired`, `ended`, ...). */
  vendorStatus: string;
  counts: { total: number; succeeded: number; failed: number; processing: number };
  /** Why the batch failed as a whole, when `state` is `failed`. */
  error?: string;
}

/**
 * One request's outcome. A failed one says how: `errored` (the vendor refused or failed the
 * request, or the reply failed its schema; `error.usage` is set when tokens were still used and
 * billed), `expired` (the batch's window ran out first), `canceled` (the batch was canceled
 * before it ran).
 */
export type BatchItemResult =
  | { customId: string; ok: true; result: ProviderResult }
  | { customId: string; ok: false; outcome: 'errored' | 'expired' | 'canceled'; error: ForgeError };

/** Per-operation options: each is one HTTP exchange with the vendor. */
export interface BatchCallOptions {
  signal?: AbortSignal;
  /** Default 60 000 ms. */
  timeoutMs?: number;
}

/**
 * A vendor's batch API (Anthropic Message Batches, OpenAI Batch): requests answered within
 * hours at a discount. Implementations never retry and never log keys; a failed exchange
 * rejects with a `ProviderError` (CANCELED when `signal` aborted it).
 */
export interface BatchApi {
  readonly kind: 'anthropic' | 'openai';
  /** Submits the requests as one batch; resolves with its status (the vendor's id inside). */
  submit(items: readonly BatchItem[], options?: BatchCallOptions): Promise<BatchStatus>;
  status(id: string, options?: BatchCallOptions): Promise<BatchStatus>;
  /**
   * The results of an ended batch, one per request the vendor answered for, each read with the
   * request it answers (`requests`, by custom id: structured output is checked against it).
   */
  results(
    id: string,
    requests: ReadonlyMap<string, ProviderRequest>,
    options?: BatchCallOptions,
  ): Promise<BatchItemResult[]>;
  /** Asks the vendor to cancel: requests not yet run end `canceled`, finished ones keep their result. */
  cancel(id: string, options?: BatchCallOptions): Promise<BatchStatus>;
}

/** Custom ids both vendors accept. */
export const BATCH_CUSTOM_ID = /^[A-Za-z0-9_-]{1,64}$/;
