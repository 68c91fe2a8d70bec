/**
 * Cheap structural checks of the vendor replies' fields the adapters read, for the hot path: each
 * accepts exactly what the zod schema beside it accepts (`AnthropicMessage`, `OpenAICompletion`,
 * `AnthropicUsage`, `OpenAIUsage`), or less. A reply they refuse goes through the zod schema,
 * which either accepts it after all or names the failing fields, so errors read as before.
 */

type Fields = Record<string, unknown>;

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isOptionalCount(value: unknown): boolean {
  return value === undefined || value === null || isCount(value);
}

/** `value` is absent, null, or an object whose `keys` are optional counts. */
function isOptionalCounts(value: unknown, keys: readonly string[]): boolean {
  if (value === undefined || value === null) return true;
  if (!isObject(value)) return false;
  for (const key of keys) if (!isOptionalCount(value[key])) return false;
  return true;
}

/** The fields of OpenAI's `usage` the adapters read (`OpenAIUsage` in usage.ts is its zod schema). */
export interface OpenAIUsageShape {
  [field: string]: unknown;
  prompt_tokens: number;
  completion_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number | null | undefined } | null | undefined;
  completion_tokens_details?: { reasoning_tokens?: number | null | undefined } | null | undefined;
}

/** The fields of Anthropic's `usage` the adapters read (`AnthropicUsage` in usage.ts is its zod schema). */
export interface AnthropicUsageShape {
  [field: string]: unknown;
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens?: number | null | undefined;
  cache_creation_input_tokens?: number | null | undefined;
  cache_creation?:
    | {
        ephemeral_5m_input_tokens?: number | null | undefined;
        ephemeral_1h_input_tokens?: number | null | undefined;
      }
    | null
    | undefined;
  output_tokens_details?: { thinking_tokens?: number | null | undefined } | null | undefined;
}

export function isOpenAIUsage(value: unknown): value is OpenAIUsageShape {
  return (
    isObject(value) &&
    isCount(value.prompt_tokens) &&
    isCount(value.completion_tokens) &&
    isOptionalCounts(value.prompt_tokens_details, ['cached_tokens']) &&
    isOptionalCounts(value.completion_tokens_details, ['reasoning_tokens'])
  );
}

export function isAnthropicUsage(value: unknown): value is AnthropicUsageShape {
  return (
    isObject(value) &&
    isCount(value.input_tokens) &&
    isCount(value.output_tokens) &&
    isOptionalCount(value.cache_read_input_tokens) &&
    isOptionalCount(value.cache_creation_input_tokens) &&
    isOptionalCounts(value.cache_creation, ['ephemeral_5m_input_tokens', 'ephemeral_1h_input_tokens']) &&
    isOptionalCounts(value.output_tokens_details, ['thinking_tokens'])
  );
}

/** The fields of a `chat.completion` that `openAIResult` reads. */
export interface OpenAICompletionShape {
  model: string;
  choices: Array<{
    message: { content: string | null; refusal?: string | null | undefined };
    finish_reason: string | null;
  }>;
  usage?: OpenAIUsageShape | null | undefined;
}

export function isOpenAICompletion(value: unknown): value is OpenAICompletionShape {
  if (!isObject(value) || typeof value.model !== 'string') return false;
  const { choices, usage } = value;
  if (!Array.isArray(choices) || choices.length === 0) return false;
  for (const choice of choices) {
    if (!isObject(choice) || !isObject(choice.message)) return false;
    const { content, refusal } = choice.message;
    if (content !== null && typeof content !== 'string') return false;
    if (refusal !== undefined && refusal !== null && typeof refusal !== 'string') return false;
    if (choice.finish_reason !== null && typeof choice.finish_reason !== 'string') return false;
  }
  return usage === undefined || usage === null || isOpenAIUsage(usage);
}

/** The fields of a `message` that `anthropicResult` reads. */
export interface AnthropicMessageShape {
  model: string;
  content: Array<{ type: string; text?: string | undefined; name?: string | undefined; input?: unknown }>;
  stop_reason: string | null;
  usage: AnthropicUsageShape;
}

export function isAnthropicMessage(value: unknown): value is AnthropicMessageShape {
  if (!isObject(value) || typeof value.model !== 'string') return false;
  if (value.stop_reason !== null && typeof value.stop_reason !== 'string') return false;
  if (!Array.isArray(value.content)) return false;
  for (const block of value.content) {
    if (!isObject(block) || typeof block.type !== 'string') return false;
    if (block.text !== undefined && typeof block.text !== 'string') return false;
    if (block.name !== undefined && typeof block.name !== 'string') return false;
  }
  return isAnthropicUsage(value.usage);
}
