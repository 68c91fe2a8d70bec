import { type ChatMessage, describeIssues, ForgeError } from '@forge/contracts';
import { MODEL_TIERS, type ModelTier } from '@forge/policy';
import { z } from 'zod';

/** The models the endpoint answers to: `forge:auto` (routed) or a tier by name. */
export const FORGE_MODELS = ['forge:auto', ...MODEL_TIERS.map((t) => `forge:${t}` as const)] as const;

const TextPart = z.object({ type: z.literal('text'), text: z.string() });
const Content = z.union([z.string(), z.array(TextPart).min(1)]);

const Message = z.discriminatedUnion('role', [
  z.looseObject({ role: z.literal('system'), content: Content }),
  z.looseObject({ role: z.literal('developer'), content: Content }),
  z.looseObject({ role: z.literal('user'), content: Content }),
  z.looseObject({ role: z.literal('assistant'), content: Content }),
]);

const ResponseFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    json_schema: z.looseObject({
      name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'must be 1-64 of a-z, A-Z, 0-9, _ and -'),
      schema: z.record(z.string(), z.unknown()).default({ type: 'object' }),
    }),
  }),
]);

/**
 * The OpenAI chat-completions request as the endpoint takes it. Unknown fields are ignored, as
 * OpenAI-compatible servers do; fields Forge cannot honour are refused with the field named
 * rather than silently dropped: `tools` (the gateway has no tool calling yet), `n` above 1.
 */
export const ChatCompletionRequest = z
  .looseObject({
    model: z.enum(FORGE_MODELS, { error: `must be one of ${FORGE_MODELS.join(', ')}` }),
    messages: z.array(Message).min(1, 'needs at least one message'),
    max_tokens: z.number().int().positive().max(200_000).optional(),
    max_completion_tokens: z.number().int().positive().max(200_000).optional(),
    temperature: z.number().min(0).max(2).optional(),
    stream: z.boolean().optional(),
    stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
    response_format: ResponseFormat.optional(),
    n: z.literal(1, { error: 'only 1 choice is supported' }).optional(),
    tools: z.array(z.unknown()).max(0, 'tool calling is not supported by this endpoint').optional(),
  })
  .refine((body) => body.messages.some((m) => m.role === 'user' || m.role === 'assistant'), {
    message: 'needs at least one user or assistant message',
    path: ['messages'],
  });
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequest>;

/** A request in the gateway's terms. */
export interface ChatCall {
  /** null for `forge:auto`. */
  tier: ModelTier | null;
  system: string | undefined;
  messages: ChatMessage[];
  maxTokens: number;
  temperature: number | undefined;
  output: { name: string; jsonSchema: Record<string, unknown> } | undefined;
  stream: boolean;
  includeUsage: boolean;
}

/** Default `max_tokens` when the request gives none. */
export const DEFAULT_MAX_TOKENS = 1024;

function text(content: z.infer<typeof Content>): string {
  return typeof content === 'string' ? content : content.map((part) => part.text).join('');
}

/** Validates a request body; BAD_INPUT whose message names every bad field (`messages.0.role: ...`). */
export function parseChatRequest(body: unknown): ChatCall {
  const parsed = ChatCompletionRequest.safeParse(body);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error);
    throw new ForgeError('BAD_INPUT', issues.join('; '), {
      retryable: false,
      details: { param: parsed.error.issues[0]?.path.join('.') ?? null },
    });
  }
  const b = parsed.data;
  const system = b.messages
    .filter((m) => m.role === 'system' || m.role === 'developer')
    .map((m) => text(m.content))
    .join('\n\n');
  const messages: ChatMessage[] = b.messages
    .filter((m) => m.role === 'user' || m.role === 'assistant')
    .map((m) => ({ role: m.role as 'user' | 'assistant', content: text(m.content) }));
  const format = b.response_format;
  const output =
    format?.type === 'json_schema'
      ? { name: format.json_schema.name, jsonSchema: format.json_schema.schema }
      : format?.type === 'json_object'
        ? { name: 'json_object', jsonSchema: { type: 'object' } }
        : undefined;
  return {
    tier: b.model === 'forge:auto' ? null : (b.model.slice('forge:'.length) as ModelTier),
    system: system === '' ? undefined : system,
    messages,
    maxTokens: b.max_completion_tokens ?? b.max_tokens ?? DEFAULT_MAX_TOKENS,
    temperature: b.temperature,
    output,
    stream: b.stream === true,
    includeUsage: b.stream_options?.include_usage === true,
  };
}
