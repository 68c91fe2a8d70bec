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
 * A stable part of a prompt: text that is the same on many calls of a skill (its instructions, a
 * rule pack, a voice guide, reference text), so a vendor's prompt cache can keep it. `role`
 * says where it belongs: `system` parts are instructions; `user` parts are material (quoted
 * sources, records), never placed among the instructions.
 */
export const StablePromptPart = z.object({
  /** What the part is, for spans and notes: `instructions`, `rules`, `voice`, `sources`. */
  name: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'must be 1-40 of a-z, 0-9, - and start with a letter'),
  role: z.enum(['system', 'user']),
  text: z.string().min(1).max(800_000),
});
export type StablePromptPart = z.infer<typeof StablePromptPart>;

/**
 * Where a deferred call stands (see `ModelCallFailure.deferred`): the gateway put it in a vendor's
 * batch, which answers at half price within hours, and a normal call takes over at `dueBy`.
 */
export const DeferredCall = z.object({
  /** `queued` (gathered for the next batch), `submitted` (in the vendor's batch), `resolving`. */
  state: z.enum(['queued', 'submitted', 'resolving']),
  /** `provider:model` the batch runs on. */
  model: z.string(),
  /** When the gateway stops waiting for the batch and answers with a normal call (ISO time). */
  dueBy: z.iso.datetime({ offset: true }),
  /** Ask again (the same request) after this long. */
  pollAfterMs: z.number().int().positive(),
  /** The vendor's batch id, once submitted. */
  batch: z.string().optional(),
});
export type DeferredCall = z.infer<typeof DeferredCall>;

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
  /** Instructions that vary between calls; stable instructions go in `stable`. */
  system: z.string().optional(),
  /**
   * The stable parts of the prompt, in order. The gateway puts them first (stable instructions
   * before `system`, stable material before the messages), so the prompt starts with what does
   * not change, and marks them for the vendor's prompt cache when the cache pays for itself.
   */
  stable: z.array(StablePromptPart).min(1).max(4).optional(),
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
  /**
   * The caller can wait for a batch: when config marks the skill deferrable, the gateway may
   * answer `deferred` and the caller asks again (the same request) until the answer comes. A
   * caller that cannot wait leaves it unset and always gets a normal call.
   */
  deferrable: z.boolean().optional(),
  /**
   * The gateway's budget for this ask, in ms from when the caller sent it: a little less than the
   * caller still waits for the reply (agent-kit keeps 2 %, at least 100 ms, for the reply's way
   * back, so an answer made just inside it still finds the caller waiting). A duration, not a time of day, so the hosts' clocks need not agree: the gateway
   * counts it from the request's arrival. The gateway does not start a call it cannot finish in it
   * (a call still queued for admission when it runs out is answered OVERLOADED, retryable) and
   * ends the call's provider attempts within it. Unset: the gateway's own call timeout
   * (`gateway.timeouts.totalMs`).
   */
  timeoutMs: z.number().int().positive().max(86_400_000).optional(),
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
  /**
   * Set (with a retryable UNAVAILABLE error) when the call waits in a vendor batch: not an
   * answer yet. Sent only to a request that said `deferrable`; ask again after `pollAfterMs`.
   */
  deferred: DeferredCall.optional(),
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
