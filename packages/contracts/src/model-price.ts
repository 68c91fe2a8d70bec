import { z } from 'zod';

/** Providers Forge can call. `openai-compatible` is any server speaking OpenAI's wire format by base URL. */
export const ProviderKind = z.enum(['anthropic', 'openai', 'openai-compatible', 'offline']);
export type ProviderKind = z.infer<typeof ProviderKind>;

/** `provider:model`, e.g. `anthropic:claude-opus-5.5`. */
export const ModelId = z
  .string()
  .regex(/^(anthropic|openai|openai-compatible|offline):[A-Za-z0-9._/-]{1,120}$/, 'must be provider:model');
export type ModelId = z.infer<typeof ModelId>;

const UsdPerMTok = z.number().nonnegative().max(10_000);

/** List prices for one model, USD per million tokens, with the day they were read. */
export const ModelPrice = z.object({
  input: UsdPerMTok,
  output: UsdPerMTok,
  cacheRead: UsdPerMTok.optional(),
  /** 5-minute cache write; Anthropic's rule is 1.25 × input. */
  cacheWrite5m: UsdPerMTok.optional(),
  /** 1-hour cache write; Anthropic's rule is 2 × input. */
  cacheWrite1h: UsdPerMTok.optional(),
  /** Prices that apply instead when a prompt's input tokens exceed `aboveInputTokens`. */
  longContext: z
    .object({
      aboveInputTokens: z.number().int().positive(),
      input: UsdPerMTok,
      output: UsdPerMTok,
      cacheRead: UsdPerMTok.optional(),
      cacheWrite5m: UsdPerMTok.optional(),
      cacheWrite1h: UsdPerMTok.optional(),
    })
    .optional(),
  /**
   * The share taken off every token price of a call made through the vendor's batch API (0.5:
   * half price, as both Anthropic and OpenAI sell it). Absent: the model has no batch price.
   */
  batchDiscount: z.number().min(0).max(1).optional(),
  readOn: z.iso.date(),
  source: z.string().optional(),
});
export type ModelPrice = z.infer<typeof ModelPrice>;
