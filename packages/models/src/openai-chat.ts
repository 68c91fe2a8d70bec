import type { ModelUsage } from '@forge/contracts';
import type OpenAI from 'openai';
import { z } from 'zod';
import { fromOpenAIFinishReason } from './finish-reason.js';
import { flatMessages, flatSystem } from './prompt-layout.js';
import type { ProviderRequest, ProviderResult } from './provider.js';
import { ProviderError } from './provider-error.js';
import { isOpenAICompletion, type OpenAICompletionShape } from './reply-shape.js';
import { partialUsage } from './stream-end.js';
import { checkStructured, type ObjectRoot } from './structured-output.js';
import { fromOpenAIUsage, OpenAIUsage } from './usage.js';

/** The parts of a `chat.completion` the adapter reads. */
export const OpenAICompletion = z.looseObject({
  model: z.string(),
  choices: z
    .array(
      z.looseObject({
        message: z.looseObject({ content: z.string().nullable(), refusal: z.string().nullish() }),
        finish_reason: z.string().nullable(),
      }),
    )
    .min(1),
  usage: OpenAIUsage.nullish(),
});

export type OpenAIKind = 'openai' | 'openai-compatible';

/**
 * The chat-completions body of a request. Stable parts come first: the system message starts
 * with the stable instructions, the first user message with the stable material (plain text, so
 * any compatible server reads it). OpenAI caches prompt prefixes by itself; with `cache`, the
 * request names its prefix (`prompt_cache_key`) so calls sharing it reach the same cache, and a
 * `1h` cache asks for extended retention, which OpenAI does not charge for. Compatible servers
 * get neither field.
 */
export function openAIBody(
  req: ProviderRequest,
  root: ObjectRoot | undefined,
  kind: OpenAIKind,
): OpenAI.ChatCompletionCreateParamsNonStreaming {
  const messages: OpenAI.ChatCompletionMessageParam[] = [];
  const system = flatSystem(req);
  if (system !== undefined) messages.push({ role: 'system', content: system });
  for (const message of flatMessages(req)) messages.push({ role: message.role, content: message.content });
  const body: OpenAI.ChatCompletionCreateParamsNonStreaming = { model: req.model, messages };
  // OpenAI's reasoning models take only max_completion_tokens; local servers know max_tokens.
  if (kind === 'openai') body.max_completion_tokens = req.maxTokens;
  else body.max_tokens = req.maxTokens;
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.output && root) {
    body.response_format = {
      type: 'json_schema',
      json_schema: { name: req.output.name, schema: root.schema, strict: false },
    };
  }
  if (req.cache && kind === 'openai') {
    body.prompt_cache_key = req.cache.key;
    if (req.cache.ttl === '1h') body.prompt_cache_retention = '24h';
  }
  return body;
}

/** A `bad_response` ProviderError for an OpenAI-format reply. */
export function openAIBadResponse(
  kind: OpenAIKind,
  model: string,
  reason: string,
  usage: ModelUsage | undefined,
  beforeFirstToken: boolean,
): ProviderError {
  return new ProviderError(`${kind} ${model}: ${reason}`, {
    kind: 'bad_response',
    provider: kind,
    model,
    beforeFirstToken,
    ...(usage ? { usage } : {}),
  });
}

/**
 * Reads a `chat.completion` (a direct reply or a batch's response body) into a ProviderResult.
 * Throws a `bad_response` ProviderError when it is not one, or when a structured reply is refused
 * or fails its schema (carrying the usage, so the call is still billed).
 */
export function openAIResult(
  req: ProviderRequest,
  root: ObjectRoot | undefined,
  raw: unknown,
  kind: OpenAIKind,
): ProviderResult {
  // The cheap check first; zod only for a reply it refuses (to accept it after all, or name the fields).
  let completion: OpenAICompletionShape;
  if (isOpenAICompletion(raw)) completion = raw;
  else {
    const parsed = OpenAICompletion.safeParse(raw);
    if (!parsed.success) {
      const where = parsed.error.issues.map((issue) => issue.path.join('.') || '(root)').join(', ');
      throw openAIBadResponse(kind, req.model, `reply is not a chat completion (${where})`, undefined, true);
    }
    completion = parsed.data;
  }
  const choice = completion.choices[0]!;
  const refusal = choice.message.refusal ?? null;
  const text = choice.message.content ?? refusal ?? '';
  const usage = completion.usage ? fromOpenAIUsage(completion.usage) : partialUsage(req, text, undefined);
  const result: ProviderResult = {
    text,
    usage,
    rawUsage: completion.usage ?? null,
    usageEstimated: !completion.usage,
    finishReason: refusal !== null ? 'refusal' : fromOpenAIFinishReason(choice.finish_reason),
    rawFinishReason: choice.finish_reason,
    model: completion.model,
    provider: kind,
  };
  if (!root) return result;
  if (refusal !== null) throw openAIBadResponse(kind, req.model, `model refused: ${refusal}`, usage, true);
  const checked = checkStructured({ text }, root);
  if (!checked.ok) throw openAIBadResponse(kind, req.model, checked.reason, usage, true);
  return { ...result, output: checked.value };
}
