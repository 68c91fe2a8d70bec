import type { ModelCallReply } from '@forge/contracts';

// Classification with a confidence, as a scoring skill asks for it.
export const VERDICT = {
  name: 'verdict',
  jsonSchema: {
    type: 'object',
    properties: {
      label: { type: 'string', enum: ['relevant', 'irrelevant'] },
      confidence: { type: 'number' },
    },
    required: ['label', 'confidence'],
  },
};

/** The reply as a success, or a test failure showing what came instead. */
export function ok(reply: ModelCallReply): Extract<ModelCallReply, { ok: true }> {
  if (!reply.ok) throw new Error(`expected a success, got ${JSON.stringify(reply)}`);
  return reply;
}

/**
 * The gateway tests' routing: OpenAI first at mid (so OpenAI's usage semantics are exercised without a
 * fallback); agent `tight` gets $0.001, where a small call (at most ~$0.0001) fits and a mid call
 * (at most ~$0.002) does not.
 */
export function gatewayTestRoutes() {
  return {
    tiers: {
      small: ['anthropic:claude-haiku-5.5', 'openai:gpt-6-luna'],
      mid: ['openai:gpt-6-sol', 'anthropic:claude-sonnet-5.5'],
      frontier: ['anthropic:claude-opus-5.5', 'openai:gpt-6-astra'],
    },
    routes: {
      'scout.score': { tier: 'small' as const, maxTier: 'mid' as const },
      'scout.draft': { tier: 'mid' as const },
      'tight.score': { tier: 'small' as const, maxTier: 'mid' as const },
      'scout.capped': { tier: 'small' as const, maxTier: 'small' as const },
    },
    budgets: { perAgent: { tight: { usd: 0.001, onExhausted: 'reject' as const } } },
  };
}
