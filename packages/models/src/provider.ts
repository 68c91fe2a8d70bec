import {
  ChatMessage,
  ModelPurpose,
  type ModelUsage,
  type ProviderKind,
  StablePromptPart,
} from '@forge/contracts';
import { z } from 'zod';
import type { FinishReason } from './finish-reason.js';
import type { ProviderError } from './provider-error.js';

/**
 * One call to one model, in Forge's terms. The gateway builds it from a `ModelCallRequest`
 * after it has picked the model; `model` is the vendor's model name (no `provider:` prefix).
 */
/**
 * How a request asks the vendor's prompt cache to keep its stable prefix: for `ttl` (Anthropic's
 * 5-minute or 1-hour cache; at OpenAI `1h` asks for extended retention), under `key` (OpenAI's
 * `prompt_cache_key`, so requests sharing the prefix reach the same cache). Chosen by the
 * gateway (see its cache plan); absent, nothing is marked.
 */
export const PromptCacheRequest = z.object({
  ttl: z.enum(['5m', '1h']),
  key: z.string().regex(/^[A-Za-z0-9:_-]{1,64}$/),
});
export type PromptCacheRequest = z.infer<typeof PromptCacheRequest>;

export const ProviderRequest = z.object({
  model: z.string().min(1),
  system: z.string().optional(),
  /** Stable parts, laid out first (see `prompt-layout.ts`). */
  stable: z.array(StablePromptPart).min(1).max(4).optional(),
  /** Mark the cacheable prefix for the vendor's prompt cache. */
  cache: PromptCacheRequest.optional(),
  messages: z.array(ChatMessage).min(1),
  maxTokens: z.number().int().positive(),
  temperature: z.number().min(0).max(2).optional(),
  /** Structured output: the reply must be JSON satisfying `jsonSchema`. */
  output: z
    .object({
      name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/),
      jsonSchema: z.record(z.string(), z.unknown()),
    })
    .optional(),
  /** What the skill wants; real models ignore it, the offline provider works by it. */
  purpose: ModelPurpose.optional(),
});
export type ProviderRequest = z.infer<typeof ProviderRequest>;

export interface ProviderCallOptions {
  /** Aborts the call: `complete` rejects with CANCELED, a stream ends with what came. */
  signal?: AbortSignal;
  /**
   * `complete`: the whole call, headers and body. `stream`: the wait for the response headers,
   * then the longest silence between two events. Default 60 000 ms.
   */
  timeoutMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 60_000;

/** What a finished call produced, and what it cost in tokens. */
export interface ProviderResult {
  /** The reply text; for structured output, the JSON text. */
  text: string;
  /** The parsed JSON, present when the request asked for `output` (already checked against its schema). */
  output?: unknown;
  /** Normalised usage: `inputTokens` excludes cache tokens, `outputTokens` includes reasoning. */
  usage: ModelUsage;
  /** The usage object as the vendor reported it, or null when it reported none. */
  rawUsage: Record<string, unknown> | null;
  /** True when some usage was estimated (chars / 4) because the vendor never reported it (cut-off streams). */
  usageEstimated: boolean;
  finishReason: FinishReason;
  /** The vendor's own stop/finish reason. */
  rawFinishReason: string | null;
  /** The model that answered, as the vendor named it. */
  model: string;
  provider: ProviderKind;
}

/**
 * A stream's events: text deltas as they come, then exactly one `final` event. The final event
 * is sent even when the stream was aborted, timed out or cut off, carrying the usage of what came
 * (so it can be billed) and the error that ended it.
 */
export type ProviderStreamEvent =
  | { type: 'text'; text: string }
  | { type: 'final'; result: ProviderResult; error?: ProviderError };

/**
 * A model vendor behind one interface. Implementations never retry (the gateway owns retries,
 * fallback and breakers) and never log keys.
 */
export interface ModelProvider {
  readonly kind: ProviderKind;
  /**
   * One call to completion. Rejects with `ProviderError` (PROVIDER_ERROR, with `kind`) on a
   * failed call, with CANCELED when `signal` aborts it.
   */
  complete(request: ProviderRequest, options?: ProviderCallOptions): Promise<ProviderResult>;
  /**
   * One streamed call. Iterating throws `ProviderError` (`beforeFirstToken: true`) when the call
   * fails before the stream opens; once open, the stream always ends with one `final` event.
   */
  stream(request: ProviderRequest, options?: ProviderCallOptions): AsyncIterable<ProviderStreamEvent>;
  /**
   * Closes the adapter's connections once its calls in flight ended (the provider pool is
   * replaced on reload or the router stops). Later calls fail.
   */
  close?(): Promise<void>;
}

/** Usage with every count zero. */
export function zeroUsage(): ModelUsage {
  return {
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    cacheWrite1hTokens: 0,
    reasoningTokens: 0,
  };
}
