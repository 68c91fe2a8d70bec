import type { ModelUsage } from '@forge/contracts';

/** OpenAI's `finish_reason` for the gateway's finish reason. */
export function openAIFinishReason(reason: string): 'stop' | 'length' | 'content_filter' {
  if (reason === 'length') return 'length';
  if (reason === 'content_filter' || reason === 'refusal') return 'content_filter';
  return 'stop';
}

/** Forge's normalised usage in OpenAI's terms: `prompt_tokens` includes cached and cache-written tokens. */
export function openAIUsage(u: ModelUsage) {
  const prompt = u.inputTokens + u.cacheReadTokens + u.cacheWriteTokens + u.cacheWrite1hTokens;
  return {
    prompt_tokens: prompt,
    completion_tokens: u.outputTokens,
    total_tokens: prompt + u.outputTokens,
    prompt_tokens_details: { cached_tokens: u.cacheReadTokens },
    completion_tokens_details: { reasoning_tokens: u.reasoningTokens },
  };
}

/** What Forge adds to every response: the tier, whether offline answered, cost, and notes. */
export interface ForgeExtras {
  tier: string;
  offline: boolean;
  cost_micros: number;
  shadow_cost_micros: number;
  notes: string[];
}
