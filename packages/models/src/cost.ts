import type { ModelPrice, ModelUsage } from '@forge/contracts';
import { promptTokens } from './usage.js';

/**
 * A price per token as an exact fraction of a pico-USD. USD per million tokens is micro-USD per
 * token, so `p` USD/Mtok is `p × 10⁶` pico-USD per token: exact for prices given to six decimals.
 */
interface Rate {
  num: bigint;
  den: bigint;
}

const PICO_PER_MICRO = 1_000_000n;

function rate(usdPerMTok: number): Rate {
  return { num: BigInt(Math.round(usdPerMTok * 1_000_000)), den: 1n };
}

function times(r: Rate, num: bigint, den: bigint): Rate {
  return { num: r.num * num, den: r.den * den };
}

/** The rates that apply to one call, each token kind at its price. */
interface Rates {
  input: Rate;
  output: Rate;
  cacheRead: Rate;
  cacheWrite5m: Rate;
  cacheWrite1h: Rate;
}

/**
 * Base rates, with the defaults for prices the config leaves out: a missing cache-read price is
 * the input price; missing cache-write prices follow Anthropic's rule (the only vendor that
 * bills cache writes apart), 1.25 × input for 5 minutes and 2 × input for 1 hour.
 */
function baseRates(price: ModelPrice): Rates {
  const input = rate(price.input);
  return {
    input,
    output: rate(price.output),
    cacheRead: price.cacheRead === undefined ? input : rate(price.cacheRead),
    cacheWrite5m: price.cacheWrite5m === undefined ? times(input, 5n, 4n) : rate(price.cacheWrite5m),
    cacheWrite1h: price.cacheWrite1h === undefined ? times(input, 2n, 1n) : rate(price.cacheWrite1h),
  };
}

/**
 * Long-context rates. Prices the long-context entry leaves out are the base ones scaled by the
 * same factor as input (the vendors raise every input-side price together: OpenAI's 2× above
 * 272K applies to cached input too); with a free base input, they are the long input price.
 */
function longRates(price: ModelPrice, long: NonNullable<ModelPrice['longContext']>): Rates {
  const base = baseRates(price);
  const input = rate(long.input);
  const scale = (r: Rate): Rate => (base.input.num === 0n ? input : times(r, input.num, base.input.num));
  return {
    input,
    output: rate(long.output),
    cacheRead: long.cacheRead === undefined ? scale(base.cacheRead) : rate(long.cacheRead),
    cacheWrite5m: long.cacheWrite5m === undefined ? scale(base.cacheWrite5m) : rate(long.cacheWrite5m),
    cacheWrite1h: long.cacheWrite1h === undefined ? scale(base.cacheWrite1h) : rate(long.cacheWrite1h),
  };
}

function ratesFor(price: ModelPrice, prompt: number): Rates {
  const long = price.longContext;
  return long !== undefined && prompt > long.aboveInputTokens ? longRates(price, long) : baseRates(price);
}

/** Σ tokens × rate, as one exact fraction of pico-USD. */
function total(terms: Array<[number, Rate]>): Rate {
  let sum: Rate = { num: 0n, den: 1n };
  for (const [tokens, r] of terms) {
    if (tokens === 0) continue;
    sum = { num: sum.num * r.den + BigInt(tokens) * r.num * sum.den, den: sum.den * r.den };
  }
  return sum;
}

/**
 * The factor a batch call's token prices are multiplied by: 1 − the model's `batchDiscount`
 * (exact to six decimals); 1 when the call is not a batch call or the model has no batch price.
 */
function batchFactor(price: ModelPrice, batch: boolean | undefined): Rate {
  if (!batch || price.batchDiscount === undefined) return { num: 1n, den: 1n };
  const off = BigInt(Math.round(price.batchDiscount * 1_000_000));
  return { num: 1_000_000n - off, den: 1_000_000n };
}

function scaled(r: Rate, factor: Rate): Rate {
  return { num: r.num * factor.num, den: r.den * factor.den };
}

/** How a call was made, where that changes its price. */
export interface CallPricing {
  /** Made through the vendor's batch API: every token price less the model's `batchDiscount`. */
  batch?: boolean;
}

function roundHalfUpMicros(pico: Rate): number {
  const den = pico.den * PICO_PER_MICRO;
  return Number((pico.num * 2n + den) / (den * 2n));
}

function ceilMicros(pico: Rate): number {
  const den = pico.den * PICO_PER_MICRO;
  return Number((pico.num + den - 1n) / den);
}

/**
 * What a call cost, in integer micro-USD: each token kind at its price, summed exactly, rounded
 * half up once at the end. Long-context prices apply when the whole prompt (input + cache reads
 * + cache writes) exceeds `longContext.aboveInputTokens`. Reasoning tokens are already inside
 * `outputTokens` and are not added again.
 */
export function costMicros(usage: ModelUsage, price: ModelPrice, pricing: CallPricing = {}): number {
  const rates = ratesFor(price, promptTokens(usage));
  const sum = total([
    [usage.inputTokens, rates.input],
    [usage.outputTokens, rates.output],
    [usage.cacheReadTokens, rates.cacheRead],
    [usage.cacheWriteTokens, rates.cacheWrite5m],
    [usage.cacheWrite1hTokens, rates.cacheWrite1h],
  ]);
  return roundHalfUpMicros(scaled(sum, batchFactor(price, pricing.batch)));
}

/** What the most a call may cost depends on besides its prompt and `maxTokens`. */
export interface MaxCostOptions extends CallPricing {
  /**
   * Tokens of the prompt the call asks the vendor to write to its cache, and for how long:
   * at worst every one of them is written (1.25× or 2× input at Anthropic), none read.
   */
  cacheWrite?: { tokens: number; ttl: '5m' | '1h' };
}

/**
 * The most a call can cost, for an admission reservation, in integer micro-USD rounded up: the
 * prompt as uncached input, except the part the call asks to cache (`cacheWrite`), taken at the
 * write price when that is higher; `maxTokens` of output; long-context prices when the prompt
 * estimate is over their threshold; less the batch discount for a batch call. Callers who
 * distrust their estimate pad it before calling.
 */
export function maxCostMicros(
  inputTokensEstimate: number,
  maxTokens: number,
  price: ModelPrice,
  options: MaxCostOptions = {},
): number {
  const rates = ratesFor(price, inputTokensEstimate);
  const write = options.cacheWrite;
  const written = write ? Math.min(inputTokensEstimate, Math.max(0, write.tokens)) : 0;
  const writeRate = write?.ttl === '1h' ? rates.cacheWrite1h : rates.cacheWrite5m;
  // A write priced under input (no vendor does that) must not lower the reservation.
  const cacheRate = written > 0 && atLeast(writeRate, rates.input) ? writeRate : rates.input;
  const sum = total([
    [inputTokensEstimate - written, rates.input],
    [written, cacheRate],
    [maxTokens, rates.output],
  ]);
  return ceilMicros(scaled(sum, batchFactor(price, options.batch)));
}

function atLeast(a: Rate, b: Rate): boolean {
  return a.num * b.den >= b.num * a.den;
}
