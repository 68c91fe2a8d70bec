import { ForgeError } from '@forge/contracts';
import { describe, expect, it } from 'vitest';
import { estimatePromptTokens, estimateTokens } from './estimate-tokens.js';
import { parseRetryAfterMs } from './provider-error.js';
import { fromAnthropicUsage, fromOpenAIUsage, promptTokens } from './usage.js';

describe('fromOpenAIUsage', () => {
  it('moves cached tokens out of prompt_tokens and keeps reasoning inside output', () => {
    expect(
      fromOpenAIUsage({
        prompt_tokens: 1_200,
        completion_tokens: 300,
        total_tokens: 1_500,
        prompt_tokens_details: { cached_tokens: 1_000, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 120 },
      }),
    ).toEqual({
      inputTokens: 200,
      outputTokens: 300,
      cacheReadTokens: 1_000,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      reasoningTokens: 120,
    });
  });

  it('reads usage without details (OpenAI-compatible servers)', () => {
    expect(fromOpenAIUsage({ prompt_tokens: 10, completion_tokens: 5 })).toMatchObject({
      inputTokens: 10,
      cacheReadTokens: 0,
      reasoningTokens: 0,
    });
  });

  it('never counts more cached tokens than the prompt had', () => {
    const usage = fromOpenAIUsage({
      prompt_tokens: 10,
      completion_tokens: 1,
      prompt_tokens_details: { cached_tokens: 50 },
    });
    expect(usage.inputTokens).toBe(0);
    expect(usage.cacheReadTokens).toBe(10);
  });

  it('refuses what is not usage, naming the field', () => {
    expect(() => fromOpenAIUsage({ prompt_tokens: -1, completion_tokens: 'x' })).toThrowError(
      /usage\.prompt_tokens.*usage\.completion_tokens/,
    );
    expect(() => fromOpenAIUsage(null)).toThrowError(ForgeError);
  });
});

describe('fromAnthropicUsage', () => {
  it('splits cache writes by duration from the cache_creation breakdown', () => {
    expect(
      fromAnthropicUsage({
        input_tokens: 50,
        output_tokens: 20,
        cache_read_input_tokens: 1_000,
        cache_creation_input_tokens: 500,
        cache_creation: { ephemeral_5m_input_tokens: 200, ephemeral_1h_input_tokens: 300 },
        output_tokens_details: { thinking_tokens: 5 },
      }),
    ).toEqual({
      inputTokens: 50,
      outputTokens: 20,
      cacheReadTokens: 1_000,
      cacheWriteTokens: 200,
      cacheWrite1hTokens: 300,
      reasoningTokens: 5,
    });
  });

  it('counts writes without a breakdown as 5-minute writes', () => {
    const usage = fromAnthropicUsage({ input_tokens: 1, output_tokens: 1, cache_creation_input_tokens: 700 });
    expect(usage.cacheWriteTokens).toBe(700);
    expect(usage.cacheWrite1hTokens).toBe(0);
  });

  it('counts writes the breakdown leaves out as 5-minute writes', () => {
    const usage = fromAnthropicUsage({
      input_tokens: 1,
      output_tokens: 1,
      cache_creation_input_tokens: 1_000,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 600 },
    });
    expect([usage.cacheWriteTokens, usage.cacheWrite1hTokens]).toEqual([400, 600]);
  });

  it('takes nulls as zero', () => {
    const usage = fromAnthropicUsage({
      input_tokens: 3,
      output_tokens: 4,
      cache_read_input_tokens: null,
      cache_creation_input_tokens: null,
      cache_creation: null,
      output_tokens_details: null,
    });
    expect(promptTokens(usage)).toBe(3);
    expect(usage.reasoningTokens).toBe(0);
  });

  it('refuses what is not usage, naming the field', () => {
    expect(() => fromAnthropicUsage({ output_tokens: 1 })).toThrowError(/usage\.input_tokens/);
  });
});

describe('estimateTokens', () => {
  it('counts one token per four characters, rounded up', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('abc')).toBe(1);
    expect(estimateTokens('abcd')).toBe(1);
    expect(estimateTokens('abcde')).toBe(2);
    expect(estimatePromptTokens({ system: 'abcd', messages: [{ content: 'abcd' }, { content: 'a' }] })).toBe(
      3,
    );
  });
});

describe('parseRetryAfterMs', () => {
  const headers = (values: Record<string, string>) => new Headers(values);

  it('prefers retry-after-ms, then retry-after seconds, then an HTTP date', () => {
    expect(parseRetryAfterMs(headers({ 'retry-after-ms': '1500', 'retry-after': '9' }))).toBe(1500);
    expect(parseRetryAfterMs(headers({ 'retry-after': '3' }))).toBe(3000);
    expect(parseRetryAfterMs(headers({ 'retry-after': '0.25' }))).toBe(250);
    const now = Date.parse('2026-11-01T00:00:00Z');
    expect(parseRetryAfterMs(headers({ 'retry-after': 'Sun, 01 Nov 2026 00:00:05 GMT' }), now)).toBe(5000);
  });

  it('is undefined when absent or unreadable, and never negative', () => {
    expect(parseRetryAfterMs(headers({}))).toBeUndefined();
    expect(parseRetryAfterMs(headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(parseRetryAfterMs(headers({ 'retry-after': '-5' }))).toBe(0);
    expect(parseRetryAfterMs(undefined)).toBeUndefined();
  });
});
