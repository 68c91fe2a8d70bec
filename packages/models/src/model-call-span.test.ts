import type { ModelUsage } from '@forge/contracts';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { withModelCallSpan } from './model-call-span.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const tracer = provider.getTracer('models-test');

const usage: ModelUsage = {
  inputTokens: 100,
  outputTokens: 40,
  cacheReadTokens: 1_000,
  cacheWriteTokens: 20,
  cacheWrite1hTokens: 30,
  reasoningTokens: 10,
};

beforeEach(() => exporter.reset());
afterAll(() => provider.shutdown());

describe('withModelCallSpan', () => {
  it('records the GenAI request and response attributes plus tier, cost and offline', async () => {
    const value = await withModelCallSpan(
      { provider: 'anthropic', model: 'claude-haiku-5.5', maxTokens: 256, tier: 'small', taskId: 't-1' },
      async (call) => {
        call.record({
          responseModel: 'claude-haiku-5.5-20261001',
          usage,
          costMicros: 58,
          finishReason: 'stop',
        });
        return 'done';
      },
      { tracer },
    );
    expect(value).toBe('done');
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('chat claude-haiku-5.5');
    expect(span?.kind).toBe(SpanKind.CLIENT);
    expect(span?.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-haiku-5.5',
      'gen_ai.request.max_tokens': 256,
      'gen_ai.response.model': 'claude-haiku-5.5-20261001',
      // The whole prompt, cached tokens included, as the GenAI conventions ask.
      'gen_ai.usage.input_tokens': 1_150,
      'gen_ai.usage.output_tokens': 40,
      'gen_ai.usage.cache_read.input_tokens': 1_000,
      'gen_ai.usage.cache_creation.input_tokens': 50,
      'gen_ai.usage.reasoning.output_tokens': 10,
      'gen_ai.response.finish_reasons': ['stop'],
      'forge.tier': 'small',
      'forge.cost_micros': 58,
      'forge.offline': false,
      'forge.task_id': 't-1',
    });
  });

  it('marks offline calls and their shadow cost', async () => {
    await withModelCallSpan(
      { provider: 'offline', model: 'claude-opus-5.5', maxTokens: 10, tier: 'frontier' },
      async (call) => call.record({ costMicros: 0, shadowCostMicros: 1_234 }),
      { tracer },
    );
    expect(exporter.getFinishedSpans()[0]?.attributes).toMatchObject({
      'forge.offline': true,
      'forge.cost_micros': 0,
      'forge.shadow_cost_micros': 1_234,
    });
  });

  it('ends the span with an error status when the call throws', async () => {
    const failing = withModelCallSpan(
      { provider: 'openai', model: 'gpt-6-luna', maxTokens: 10 },
      async () => {
        throw new Error('upstream 500');
      },
      { tracer },
    );
    await expect(failing).rejects.toThrow('upstream 500');
    const [span] = exporter.getFinishedSpans();
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.events.some((event) => event.name === 'exception')).toBe(true);
  });
});
