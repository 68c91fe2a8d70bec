import { z } from 'zod';
import { SkillRef } from './names.js';
import { Tier } from './tier.js';

export const MODEL_CALL_VERSION = 1;

/** What a skill wants from a model call; the offline provider and the rules read it. */
export const ModelPurpose = z.enum(['classify', 'extract', 'draft', 'summarize', 'judge']);
export type ModelPurpose = z.infer<typeof ModelPurpose>;

export const ChatMessage = z.object({
  role: z.enum(['user', 'assistant']),
  content: z.string(),
});
export type ChatMessage = z.infer<typeof ChatMessage>;

/**
 * A skill's request to the model gateway (NATS request/reply on `forge.<brain>.model.call`).
 * The gateway picks the model from the task's stamped tier; the skill never names one.
 * `callId` numbers the calls within one attempt of a task, so a ledger row is keyed by
 * (taskId, attempt, callId) and a retried request is not billed twice.
 */
export const ModelCallRequest = z.object({
  v: z.literal(MODEL_CALL_VERSION),
  taskId: z.uuid(),
  attempt: z.number().int().positive(),
  callId: z.number().int().nonnegative(),
  skill: SkillRef,
  purpose: ModelPurpose,
  system: z.string().optional(),
  messages: z.array(ChatMessage).min(1),
  maxTokens: z.number().int().positive().max(200_000),
  temperature: z.number().min(0).max(2).optional(),
  /** Structured output: a JSON Schema the reply must satisfy (made from the skill's zod schema). */
  output: z
    .object({
      name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/),
      jsonSchema: z.record(z.string(), z.unknown()),
    })
    .optional(),
  /** When set, the gateway publishes text deltas to this core NATS subject as they arrive. */
  streamTo: z.string().min(1).optional(),
});
export type ModelCallRequest = z.infer<typeof ModelCallRequest>;

/**
 * Tokens split the way prices are quoted, normalised from each vendor's usage semantics:
 * `inputTokens` never includes cache reads or writes (OpenAI's prompt_tokens does; the adapter
 * subtracts), and `outputTokens` includes reasoning tokens.
 */
export const ModelUsage = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  cacheReadTokens: z.number().int().nonnegative(),
  /** Cache writes at the short (5-minute) duration. */
  cacheWriteTokens: z.number().int().nonnegative(),
  /** Cache writes at the long (1-hour) duration, priced higher. */
  cacheWrite1hTokens: z.number().int().nonnegative().default(0),
  /** Informational: already inside outputTokens for providers that bill them as output. */
  reasoningTokens: z.number().int().nonnegative(),
});
export type ModelUsage = z.infer<typeof ModelUsage>;

export const ModelCallSuccess = z.object({
  v: z.literal(MODEL_CALL_VERSION),
  ok: z.literal(true),
  text: z.string(),
  /** The parsed structured output, when the request asked for one. */
  output: z.unknown().optional(),
  tier: Tier,
  /** `provider:model` that answered. */
  model: z.string(),
  /** True when the built-in offline provider answered (no real model ran). */
  offline: z.boolean(),
  usage: ModelUsage,
  /** What the call cost, in integer micro-USD (0 for offline). */
  costMicros: z.number().int().nonnegative(),
  /** For offline calls: the list price of the model it stood in for, reported, never charged. */
  shadowCostMicros: z.number().int().nonnegative(),
  /** Escalations and fallbacks on the way, each with its reason. */
  notes: z.array(z.string()),
});
export type ModelCallSuccess = z.infer<typeof ModelCallSuccess>;

export const ModelCallFailure = z.object({
  v: z.literal(MODEL_CALL_VERSION),
  ok: z.literal(false),
  error: z.object({ code: z.string(), message: z.string(), retryable: z.boolean() }),
  /** Set when no model may judge this call and a person must (offline mode, critical skill). */
  inputRequired: z.string().optional(),
});
export type ModelCallFailure = z.infer<typeof ModelCallFailure>;

export const ModelCallReply = z.discriminatedUnion('ok', [ModelCallSuccess, ModelCallFailure]);
export type ModelCallReply = z.infer<typeof ModelCallReply>;

/**
 * One text delta of a streamed model call, published (core NATS) by the gateway to the request's
 * `streamTo` subject as it arrives. `index` counts from 0 within the call; the call's reply, sent
 * after the last delta, ends the stream (a delta may be lost on core NATS; the reply's text is whole).
 */
export const ModelStreamChunk = z.object({
  v: z.literal(MODEL_CALL_VERSION),
  taskId: z.uuid(),
  attempt: z.number().int().positive(),
  callId: z.number().int().nonnegative(),
  index: z.number().int().nonnegative(),
  text: z.string(),
});
export type ModelStreamChunk = z.infer<typeof ModelStreamChunk>;
