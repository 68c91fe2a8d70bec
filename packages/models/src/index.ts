export { AnthropicBatches } from './anthropic-batches.js';
export { AnthropicProvider } from './anthropic-provider.js';
export {
  BATCH_CUSTOM_ID,
  type BatchApi,
  type BatchCallOptions,
  type BatchItem,
  type BatchItemResult,
  type BatchStatus,
} from './batch-api.js';
export { type CallPricing, costMicros, type MaxCostOptions, maxCostMicros } from './cost.js';
export { estimatePromptTokens, estimateTokens } from './estimate-tokens.js';
export { type FinishReason, fromAnthropicStopReason, fromOpenAIFinishReason } from './finish-reason.js';
export { checkJsonText, checkJsonValue, type JsonCheck, type JsonSchema } from './json-output.js';
export {
  type ModelCallSpan,
  type ModelCallSpanEnd,
  type ModelCallSpanStart,
  modelCallEndAttributes,
  withModelCallSpan,
} from './model-call-span.js';
export { OFFLINE_JUDGE_REASON, OfflineProvider } from './offline/offline-provider.js';
export { isOfflineRefusal, OfflineRefusal } from './offline/offline-refusal.js';
export { OpenAIBatches } from './openai-batches.js';
export { OpenAIProvider, OpenAIProviderOptions } from './openai-provider.js';
export {
  cacheablePrefix,
  cacheablePrefixChars,
  flatMessages,
  flatSystem,
  PART_SEPARATOR,
  type PromptFields,
} from './prompt-layout.js';
export {
  DEFAULT_TIMEOUT_MS,
  type ModelProvider,
  PromptCacheRequest,
  type ProviderCallOptions,
  ProviderRequest,
  type ProviderResult,
  type ProviderStreamEvent,
  zeroUsage,
} from './provider.js';
export {
  isProviderError,
  PROVIDER_ERROR_KINDS,
  ProviderError,
  type ProviderErrorKind,
  type ProviderErrorOptions,
  parseRetryAfterMs,
} from './provider-error.js';
export { ProviderOptions, ProviderTransport } from './provider-options.js';
export { AnthropicUsage, fromAnthropicUsage, fromOpenAIUsage, OpenAIUsage, promptTokens } from './usage.js';
