import type { ModelUsage, ProviderKind, Tier } from '@forge/contracts';
import { markSpanFailed } from '@forge/telemetry';
import { type Attributes, context, type Span, SpanKind, type Tracer, trace } from '@opentelemetry/api';
import type { FinishReason } from './finish-reason.js';

/** What is known of a model call before it runs. */
export interface ModelCallSpanStart {
  provider: ProviderKind;
  /** The vendor's model name, as requested. */
  model: string;
  maxTokens: number;
  temperature?: number;
  tier?: Tier;
  /** True when the offline provider answers; defaults to `provider === 'offline'`. */
  offline?: boolean;
  stream?: boolean;
  taskId?: string;
  skill?: string;
  attempt?: number;
  callId?: number;
}

/** What the call turned out to be; recorded on the span before it ends. */
export interface ModelCallSpanEnd {
  responseModel?: string;
  usage?: ModelUsage;
  costMicros?: number;
  shadowCostMicros?: number;
  finishReason?: FinishReason;
}

export interface ModelCallSpan {
  readonly span: Span;
  /** Sets the response attributes; call it once the result (or the billed part of a failure) is known. */
  record(end: ModelCallSpanEnd): void;
}

function startAttributes(start: ModelCallSpanStart): Attributes {
  const attributes: Attributes = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': start.provider,
    'gen_ai.request.model': start.model,
    'gen_ai.request.max_tokens': start.maxTokens,
    'forge.offline': start.offline ?? start.provider === 'offline',
  };
  if (start.temperature !== undefined) attributes['gen_ai.request.temperature'] = start.temperature;
  if (start.stream !== undefined) attributes['gen_ai.request.stream'] = start.stream;
  if (start.tier !== undefined) attributes['forge.tier'] = start.tier;
  if (start.taskId !== undefined) attributes['forge.task_id'] = start.taskId;
  if (start.skill !== undefined) attributes['forge.skill'] = start.skill;
  if (start.attempt !== undefined) attributes['forge.attempt'] = start.attempt;
  if (start.callId !== undefined) attributes['forge.call_id'] = start.callId;
  return attributes;
}

/** Response attributes. `gen_ai.usage.input_tokens` counts the whole prompt, cached tokens included, as the GenAI conventions ask. */
export function modelCallEndAttributes(end: ModelCallSpanEnd): Attributes {
  const attributes: Attributes = {};
  if (end.responseModel !== undefined) attributes['gen_ai.response.model'] = end.responseModel;
  if (end.finishReason !== undefined) attributes['gen_ai.response.finish_reasons'] = [end.finishReason];
  if (end.usage) {
    const u = end.usage;
    const writes = u.cacheWriteTokens + u.cacheWrite1hTokens;
    attributes['gen_ai.usage.input_tokens'] = u.inputTokens + u.cacheReadTokens + writes;
    attributes['gen_ai.usage.output_tokens'] = u.outputTokens;
    attributes['gen_ai.usage.cache_read.input_tokens'] = u.cacheReadTokens;
    attributes['gen_ai.usage.cache_creation.input_tokens'] = writes;
    attributes['gen_ai.usage.reasoning.output_tokens'] = u.reasoningTokens;
  }
  if (end.costMicros !== undefined) attributes['forge.cost_micros'] = end.costMicros;
  if (end.shadowCostMicros !== undefined) attributes['forge.shadow_cost_micros'] = end.shadowCostMicros;
  return attributes;
}

/** The tracer `withSpan` (@forge/telemetry) uses, so the spans keep their instrumentation scope. */
const TRACER_NAME = '@forge/telemetry';

/**
 * Runs `fn` inside a CLIENT span named `chat <model>` carrying the OpenTelemetry GenAI request
 * attributes plus `forge.tier` and `forge.offline`; `fn` calls `record` with the response model,
 * usage and cost (`forge.cost_micros`). The span records an exception and ends whatever `fn` does.
 *
 * The span is a child of the active context but is not made active itself: a model call runs no
 * traced work of its own beneath it (the wire client's HTTP is not instrumented; ledger and
 * settlement writes are write-behind), so the per-call context switch would buy nothing.
 */
export async function withModelCallSpan<T>(
  start: ModelCallSpanStart,
  fn: (call: ModelCallSpan) => Promise<T>,
  options: { tracer?: Tracer } = {},
): Promise<T> {
  const tracer = options.tracer ?? trace.getTracer(TRACER_NAME);
  const span = tracer.startSpan(
    `chat ${start.model}`,
    { kind: SpanKind.CLIENT, attributes: startAttributes(start) },
    context.active(),
  );
  try {
    return await fn({ span, record: (end) => span.setAttributes(modelCallEndAttributes(end)) });
  } catch (error) {
    markSpanFailed(span, error);
    throw error;
  } finally {
    span.end();
  }
}
