import type { ModelPrice, ModelUsage } from '@forge/contracts';
import { describe, expect, it } from 'vitest';
import { costMicros, maxCostMicros } from './cost.js';
import { fromAnthropicUsage, fromOpenAIUsage } from './usage.js';

// List prices from shared/prices-2026-11.md (USD per million tokens), as config data would carry them.
const READ_ON = '2026-11-01';
const opus: ModelPrice = {
  input: 4,
  output: 20,
  cacheRead: 0.2,
  cacheWrite5m: 5,
  cacheWrite1h: 8,
  readOn: READ_ON,
};
const sonnet: ModelPrice = {
  input: 2,
  output: 10,
  cacheRead: 0.1,
  cacheWrite5m: 2.5,
  cacheWrite1h: 4,
  readOn: READ_ON,
};
const haiku: ModelPrice = {
  input: 0.1,
  output: 0.5,
  cacheRead: 0.01,
  cacheWrite5m: 0.125,
  cacheWrite1h: 0.2,
  longContext: { aboveInputTokens: 100_000, input: 0.5, output: 2.5 },
  readOn: READ_ON,
};
const openAILong = (input: number, output: number) => ({
  aboveInputTokens: 272_000,
  input: input * 2,
  output: output * 1.5,
});
const astra: ModelPrice = {
  input: 10,
  output: 50,
  cacheRead: 1,
  longContext: openAILong(10, 50),
  readOn: READ_ON,
};
const sol: ModelPrice = {
  input: 2,
  output: 10,
  cacheRead: 0.2,
  longContext: openAILong(2, 10),
  readOn: READ_ON,
};
const luna: ModelPrice = {
  input: 0.1,
  output: 0.5,
  cacheRead: 0.01,
  longContext: openAILong(0.1, 0.5),
  readOn: READ_ON,
};

function usage(partial: Partial<ModelUsage>): ModelUsage {
  return {
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    cacheWrite1hTokens: 0,
    reasoningTokens: 0,
    ...partial,
  };
}

describe('costMicros', () => {
  // USD per million tokens is micro-USD per token: expected values are tokens × price, summed.
  it.each([
    ['Opus input + output', opus, usage({ inputTokens: 1000, outputTokens: 500 }), 1000 * 4 + 500 * 20],
    ['Opus cache read at 0.20', opus, usage({ cacheReadTokens: 10_000 }), 2_000],
    ['Opus 5-minute cache write at 1.25 × input', opus, usage({ cacheWriteTokens: 2_000 }), 10_000],
    ['Opus 1-hour cache write at 2 × input', opus, usage({ cacheWrite1hTokens: 3_000 }), 24_000],
    [
      'Opus everything at once',
      opus,
      usage({
        inputTokens: 1000,
        outputTokens: 500,
        cacheReadTokens: 10_000,
        cacheWriteTokens: 2000,
        cacheWrite1hTokens: 3000,
      }),
      4_000 + 10_000 + 2_000 + 10_000 + 24_000,
    ],
    ['Sonnet cache read cut to 0.10', sonnet, usage({ cacheReadTokens: 50_000 }), 5_000],
    [
      'Sonnet cache writes 2.50 / 4.00',
      sonnet,
      usage({ cacheWriteTokens: 1000, cacheWrite1hTokens: 1000 }),
      6_500,
    ],
    ['Haiku fractions: 3 × 0.125 rounds down', haiku, usage({ cacheWriteTokens: 3 }), 0],
    ['Haiku fractions: 4 × 0.125 = 0.5 rounds half up', haiku, usage({ cacheWriteTokens: 4 }), 1],
    ['Haiku fractions summed before rounding', haiku, usage({ inputTokens: 5, outputTokens: 1 }), 1],
    [
      'Haiku at exactly 100K prompt keeps base prices',
      haiku,
      usage({ inputTokens: 100_000, outputTokens: 1000 }),
      10_500,
    ],
    [
      'Haiku above 100K takes 0.50 / 2.50',
      haiku,
      usage({ inputTokens: 100_001, outputTokens: 1000 }),
      52_501,
    ],
    [
      'Haiku above 100K counts cache reads in the prompt, and scales their price with input (× 5)',
      haiku,
      usage({ inputTokens: 1_000, cacheReadTokens: 100_000 }),
      500 + 5_000,
    ],
    ['Astra input + output', astra, usage({ inputTokens: 2_000, outputTokens: 1_000 }), 70_000],
    [
      'Astra cached input at the assumed 1.00',
      astra,
      usage({ inputTokens: 1000, cacheReadTokens: 9000 }),
      19_000,
    ],
    [
      'Sol at exactly 272K keeps base prices',
      sol,
      usage({ inputTokens: 272_000, outputTokens: 100 }),
      545_000,
    ],
    [
      'Sol above 272K: 2 × input, 1.5 × output',
      sol,
      usage({ inputTokens: 272_001, outputTokens: 100 }),
      1_089_504,
    ],
    [
      'Luna above 272K: cached input doubles with input',
      luna,
      usage({ inputTokens: 72_001, cacheReadTokens: 200_000, outputTokens: 10 }),
      // 72 001 × 0.2 + 200 000 × 0.02 + 10 × 0.75 = 14 400.2 + 4 000 + 7.5
      18_408,
    ],
    [
      'reasoning tokens are inside output and never added twice',
      sol,
      usage({ inputTokens: 100, outputTokens: 1_000, reasoningTokens: 600 }),
      200 + 10_000,
    ],
    [
      'missing cache-read price is priced at input',
      { input: 3, output: 15, readOn: READ_ON },
      usage({ cacheReadTokens: 1_000 }),
      3_000,
    ],
    [
      "missing cache-write prices follow Anthropic's 1.25× / 2× rule",
      { input: 3, output: 15, readOn: READ_ON },
      usage({ cacheWriteTokens: 1_000, cacheWrite1hTokens: 1_000 }),
      3_750 + 6_000,
    ],
    [
      'a free model costs nothing',
      { input: 0, output: 0, readOn: READ_ON },
      usage({ inputTokens: 9e6, outputTokens: 9e6 }),
      0,
    ],
  ])('%s', (_name, price, used, expected) => {
    expect(costMicros(used, price)).toBe(expected);
  });

  it('prices OpenAI usage as reported: cached tokens out of prompt_tokens, reasoning inside completion', () => {
    const used = fromOpenAIUsage({
      prompt_tokens: 10_000,
      completion_tokens: 1_000,
      prompt_tokens_details: { cached_tokens: 8_000 },
      completion_tokens_details: { reasoning_tokens: 600 },
    });
    // 2 000 uncached × 2.00 + 8 000 cached × 0.20 + 1 000 output × 10.00
    expect(costMicros(used, sol)).toBe(4_000 + 1_600 + 10_000);
  });

  it('prices Anthropic usage as reported: cache reads and writes beside input, writes by duration', () => {
    const used = fromAnthropicUsage({
      input_tokens: 1_000,
      output_tokens: 400,
      cache_read_input_tokens: 20_000,
      cache_creation_input_tokens: 5_000,
      cache_creation: { ephemeral_5m_input_tokens: 2_000, ephemeral_1h_input_tokens: 3_000 },
      output_tokens_details: { thinking_tokens: 100 },
    });
    // 1 000 × 4 + 400 × 20 + 20 000 × 0.2 + 2 000 × 5 + 3 000 × 8
    expect(costMicros(used, opus)).toBe(4_000 + 8_000 + 4_000 + 10_000 + 24_000);
  });

  it('is exact where floating point is not', () => {
    // In floats 1.15 × 50 is 57.49999999999999, which would round to 57; exactly it is 57.5 → 58.
    expect(1.15 * 50).toBeLessThan(57.5);
    expect(costMicros(usage({ inputTokens: 50 }), { input: 1.15, output: 0, readOn: READ_ON })).toBe(58);
    // A large bill stays exact to the micro-USD.
    const big = usage({ inputTokens: 987_654_321, outputTokens: 123_456_789 });
    expect(costMicros(big, { input: 0.37, output: 1.13, readOn: READ_ON })).toBe(504_938_270);
  });
});

describe('maxCostMicros', () => {
  it('reserves the whole prompt as uncached input plus max_tokens of output, rounded up', () => {
    expect(maxCostMicros(1_000, 500, opus)).toBe(14_000);
    expect(maxCostMicros(3, 1, haiku)).toBe(1); // 0.8 µUSD rounds up
  });

  it('uses long-context prices when the prompt estimate is over the threshold', () => {
    expect(maxCostMicros(100_000, 1_000, haiku)).toBe(10_500);
    expect(maxCostMicros(100_001, 1_000, haiku)).toBe(Math.ceil(100_001 * 0.5 + 2_500));
    expect(maxCostMicros(300_000, 1_000, sol)).toBe(1_200_000 + 15_000);
  });

  it('is never below the cost of any usage within the reservation', () => {
    const reserved = maxCostMicros(10_000, 2_000, opus);
    const worstUncached = usage({ inputTokens: 10_000, outputTokens: 2_000 });
    const cached = usage({ inputTokens: 2_000, cacheReadTokens: 8_000, outputTokens: 2_000 });
    expect(costMicros(worstUncached, opus)).toBeLessThanOrEqual(reserved);
    expect(costMicros(cached, opus)).toBeLessThanOrEqual(reserved);
  });
});

describe('batch prices and cache-write reservations', () => {
  const batchOpus: ModelPrice = { ...opus, batchDiscount: 0.5 };

  it('takes the batch discount off every token kind, exactly', () => {
    const u = usage({
      inputTokens: 1_000,
      outputTokens: 500,
      cacheReadTokens: 2_000,
      cacheWrite1hTokens: 300,
    });
    // 1000×4 + 500×20 + 2000×0.2 + 300×8 = 4000 + 10000 + 400 + 2400 = 16,800 micro-USD at list.
    expect(costMicros(u, batchOpus)).toBe(16_800);
    expect(costMicros(u, batchOpus, { batch: true })).toBe(8_400);
    // A model without a batch price is billed at list even for a batch call.
    expect(costMicros(u, opus, { batch: true })).toBe(16_800);
    // Odd totals round half up once, after the discount: 1 token of output at 20 → 20 → 10; 3 of
    // Haiku input at 0.1 → 0.3 → 0.15 → 0.
    expect(costMicros(usage({ inputTokens: 3 }), { ...haiku, batchDiscount: 0.5 }, { batch: true })).toBe(0);
    expect(costMicros(usage({ inputTokens: 5 }), { ...haiku, batchDiscount: 0.5 }, { batch: true })).toBe(0);
    expect(costMicros(usage({ inputTokens: 10 }), { ...haiku, batchDiscount: 0.5 }, { batch: true })).toBe(1);
  });

  it('reserves the cached prefix at its write price, the rest at input', () => {
    // 10,000 prompt tokens of which 8,000 are asked to be cached for an hour, 1,000 of output.
    const plain = maxCostMicros(10_000, 1_000, opus);
    expect(plain).toBe(10_000 * 4 + 1_000 * 20);
    expect(maxCostMicros(10_000, 1_000, opus, { cacheWrite: { tokens: 8_000, ttl: '1h' } })).toBe(
      2_000 * 4 + 8_000 * 8 + 1_000 * 20,
    );
    expect(maxCostMicros(10_000, 1_000, opus, { cacheWrite: { tokens: 8_000, ttl: '5m' } })).toBe(
      2_000 * 4 + 8_000 * 5 + 1_000 * 20,
    );
    // OpenAI bills no writes: the prefix stays at input (the default write price is never lower).
    expect(
      maxCostMicros(
        10_000,
        1_000,
        { ...astra, cacheWrite5m: 1 },
        { cacheWrite: { tokens: 8_000, ttl: '5m' } },
      ),
    ).toBe(10_000 * 10 + 1_000 * 50);
    expect(maxCostMicros(10_000, 1_000, batchOpus, { batch: true })).toBe(plain / 2);
  });
});
