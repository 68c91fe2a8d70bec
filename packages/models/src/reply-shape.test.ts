import { describe, expect, it } from 'vitest';
import { AnthropicMessage } from './anthropic-message.js';
import { OpenAICompletion } from './openai-chat.js';
import { isAnthropicMessage, isAnthropicUsage, isOpenAICompletion, isOpenAIUsage } from './reply-shape.js';
import { AnthropicUsage, OpenAIUsage } from './usage.js';

const openAIUsage = {
  prompt_tokens: 10,
  completion_tokens: 5,
  prompt_tokens_details: { cached_tokens: 4 },
  completion_tokens_details: { reasoning_tokens: 2 },
};
const anthropicUsage = {
  input_tokens: 10,
  output_tokens: 5,
  cache_read_input_tokens: 3,
  cache_creation_input_tokens: 2,
  cache_creation: { ephemeral_5m_input_tokens: 1, ephemeral_1h_input_tokens: 1 },
  output_tokens_details: { thinking_tokens: 1 },
};
const completion = {
  model: 'm',
  choices: [{ message: { content: 'hi', refusal: null }, finish_reason: 'stop' }],
  usage: openAIUsage,
};
const message = {
  model: 'm',
  content: [
    { type: 'text', text: 'hi' },
    { type: 'tool_use', name: 't', input: { a: 1 } },
  ],
  stop_reason: 'end_turn',
  usage: anthropicUsage,
};

/** Variants of `base`: each field removed, nulled, or replaced by a wrong type, a negative or fractional count, an array. */
function variants(base: Record<string, unknown>, depth = 0): unknown[] {
  const out: unknown[] = [base, null, [], 'text', 7];
  for (const key of Object.keys(base)) {
    const { [key]: _dropped, ...rest } = base;
    out.push(rest);
    for (const bad of [null, 'x', -1, 1.5, [], {}, true]) out.push({ ...base, [key]: bad });
    const inner = base[key];
    if (depth < 2 && inner && typeof inner === 'object') {
      const innerObject = Array.isArray(inner) ? inner[0] : inner;
      if (innerObject && typeof innerObject === 'object')
        for (const v of variants(innerObject as Record<string, unknown>, depth + 1))
          out.push({ ...base, [key]: Array.isArray(inner) ? [v] : v });
    }
  }
  return out;
}

describe('reply shape checks', () => {
  const cases = [
    ['OpenAI usage', isOpenAIUsage, OpenAIUsage, openAIUsage],
    ['Anthropic usage', isAnthropicUsage, AnthropicUsage, anthropicUsage],
    ['chat completion', isOpenAICompletion, OpenAICompletion, completion],
    ['Anthropic message', isAnthropicMessage, AnthropicMessage, message],
  ] as const;

  it.each(cases)(
    '%s: accepts the valid reply and never accepts what zod refuses',
    (_name, check, schema, valid) => {
      expect(check(valid)).toBe(true);
      let refused = 0;
      for (const value of variants(valid as Record<string, unknown>)) {
        const zodOk = schema.safeParse(value).success;
        if (check(value)) expect(zodOk, JSON.stringify(value)).toBe(true);
        else refused += 1;
      }
      expect(refused).toBeGreaterThan(5);
    },
  );
});
