import { type ModelUsage, parseOrThrow } from '@forge/contracts';
import { z } from 'zod';
import { isAnthropicUsage, isOpenAIUsage } from './reply-shape.js';

const Count = z.number().int().nonnegative();

/**
 * Anthropic's `usage` (messages, and the merged usage of a stream). `input_tokens` excludes
 * cache reads and writes; cache writes come as a total and, newer, broken down by duration.
 */
export const AnthropicUsage = z.looseObject({
  input_tokens: Count,
  output_tokens: Count,
  cache_read_input_tokens: Count.nullish(),
  cache_creation_input_tokens: Count.nullish(),
  cache_creation: z
    .looseObject({ ephemeral_5m_input_tokens: Count.nullish(), ephemeral_1h_input_tokens: Count.nullish() })
    .nullish(),
  output_tokens_details: z.looseObject({ thinking_tokens: Count.nullish() }).nullish(),
});
export type AnthropicUsage = z.infer<typeof AnthropicUsage>;

/**
 * OpenAI's `usage`. `prompt_tokens` includes the cached tokens reported in
 * `prompt_tokens_details.cached_tokens`; `completion_tokens` includes reasoning tokens.
 */
export const OpenAIUsage = z.looseObject({
  prompt_tokens: Count,
  completion_tokens: Count,
  prompt_tokens_details: z.looseObject({ cached_tokens: Count.nullish() }).nullish(),
  completion_tokens_details: z.looseObject({ reasoning_tokens: Count.nullish() }).nullish(),
});
export type OpenAIUsage = z.infer<typeof OpenAIUsage>;

/**
 * Anthropic usage → ModelUsage. Cache writes go to the 5-minute and 1-hour counts by the
 * `cache_creation` breakdown; writes the breakdown does not account for (or all of them, when
 * there is no breakdown) count as 5-minute writes, Anthropic's default duration. Throws
 * BAD_INPUT naming the field when `raw` is not Anthropic usage.
 */
export function fromAnthropicUsage(raw: unknown): ModelUsage {
  const usage = isAnthropicUsage(raw) ? raw : parseOrThrow(AnthropicUsage, raw, 'Anthropic usage', 'usage');
  const write5m = usage.cache_creation?.ephemeral_5m_input_tokens ?? 0;
  const write1h = usage.cache_creation?.ephemeral_1h_input_tokens ?? 0;
  const writeTotal = usage.cache_creation_input_tokens ?? write5m + write1h;
  const unaccounted = Math.max(0, writeTotal - write5m - write1h);
  return {
    inputTokens: usage.input_tokens,
    outputTokens: usage.output_tokens,
    cacheReadTokens: usage.cache_read_input_tokens ?? 0,
    cacheWriteTokens: write5m + unaccounted,
    cacheWrite1hTokens: write1h,
    reasoningTokens: usage.output_tokens_details?.thinking_tokens ?? 0,
  };
}

/**
 * OpenAI usage → ModelUsage: the cached tokens move out of the input count into cache reads.
 * OpenAI prices cache writes as plain input, so none are reported as writes. Throws BAD_INPUT
 * naming the field when `raw` is not OpenAI usage.
 */
export function fromOpenAIUsage(raw: unknown): ModelUsage {
  const usage = isOpenAIUsage(raw) ? raw : parseOrThrow(OpenAIUsage, raw, 'OpenAI usage', 'usage');
  const cached = Math.min(usage.prompt_tokens_details?.cached_tokens ?? 0, usage.prompt_tokens);
  return {
    inputTokens: usage.prompt_tokens - cached,
    outputTokens: usage.completion_tokens,
    cacheReadTokens: cached,
    cacheWriteTokens: 0,
    cacheWrite1hTokens: 0,
    reasoningTokens: usage.completion_tokens_details?.reasoning_tokens ?? 0,
  };
}

/** The whole prompt of a call: input plus cache reads plus cache writes (what long-context tiers count). */
export function promptTokens(usage: ModelUsage): number {
  return usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens + usage.cacheWrite1hTokens;
}
