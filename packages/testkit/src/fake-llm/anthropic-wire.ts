import type { FakeUsage } from './fake-reply.js';
import type { ReplyPlan } from './reply-plan.js';
import type { SseEvent } from './sse-event.js';

/**
 * Anthropic usage: `input_tokens` excludes cache reads and writes, reported beside it, with the
 * cache writes broken down by duration; reasoning ("thinking") tokens are inside `output_tokens`.
 */
export function anthropicUsage(usage: FakeUsage): Record<string, unknown> {
  return {
    input_tokens: usage.inputTokens,
    cache_creation_input_tokens: usage.cacheWriteTokens + usage.cacheWrite1hTokens,
    cache_read_input_tokens: usage.cacheReadTokens,
    cache_creation: {
      ephemeral_5m_input_tokens: usage.cacheWriteTokens,
      ephemeral_1h_input_tokens: usage.cacheWrite1hTokens,
    },
    output_tokens: usage.outputTokens,
    output_tokens_details: usage.reasoningTokens > 0 ? { thinking_tokens: usage.reasoningTokens } : null,
    server_tool_use: null,
    service_tier: 'standard',
  };
}

function stopReasonOf(plan: ReplyPlan): string {
  return plan.finishReason ?? (plan.tool ? 'tool_use' : 'end_turn');
}

function contentOf(plan: ReplyPlan): unknown[] {
  if (plan.tool) {
    return [
      {
        type: 'tool_use',
        id: `toolu_${plan.id}`,
        name: plan.tool.name,
        input: JSON.parse(plan.tool.arguments),
      },
    ];
  }
  return [{ type: 'text', text: plan.text, citations: null }];
}

/** A `message` object for a non-streaming reply. */
export function anthropicMessage(plan: ReplyPlan): Record<string, unknown> {
  return {
    id: `msg_${plan.id}`,
    type: 'message',
    role: 'assistant',
    model: plan.model,
    content: contentOf(plan),
    stop_reason: stopReasonOf(plan),
    stop_sequence: null,
    usage: plan.rawUsage ?? anthropicUsage(plan.usage),
  };
}

function event(name: string, data: unknown, delta = false): SseEvent {
  return { text: `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`, delta };
}

/**
 * The SSE events of a streamed reply, as Anthropic sends them: `message_start` carrying the
 * input-side usage (and an output count of 1), one content block with its deltas, then
 * `message_delta` with the stop reason and the cumulative usage, and `message_stop`.
 */
export function anthropicStreamEvents(plan: ReplyPlan): SseEvent[] {
  const full = plan.rawUsage ?? anthropicUsage(plan.usage);
  const startUsage = { ...full, output_tokens: Math.min(1, plan.usage.outputTokens) };
  const events: SseEvent[] = [
    event('message_start', {
      type: 'message_start',
      message: {
        id: `msg_${plan.id}`,
        type: 'message',
        role: 'assistant',
        model: plan.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: startUsage,
      },
    }),
  ];
  if (plan.tool) {
    events.push(
      event('content_block_start', {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'tool_use', id: `toolu_${plan.id}`, name: plan.tool.name, input: {} },
      }),
    );
  } else {
    events.push(
      event('content_block_start', {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'text', text: '', citations: null },
      }),
    );
  }
  events.push(event('ping', { type: 'ping' }));
  for (const piece of plan.chunks) {
    const delta = plan.tool
      ? { type: 'input_json_delta', partial_json: piece }
      : { type: 'text_delta', text: piece };
    events.push(event('content_block_delta', { type: 'content_block_delta', index: 0, delta }, true));
  }
  events.push(event('content_block_stop', { type: 'content_block_stop', index: 0 }));
  events.push(
    event('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: stopReasonOf(plan), stop_sequence: null },
      usage: full,
    }),
  );
  events.push(event('message_stop', { type: 'message_stop' }));
  return events;
}

/** Anthropic's error body. */
export function anthropicError(status: number, message: string): Record<string, unknown> {
  const type =
    status === 429
      ? 'rate_limit_error'
      : status === 529
        ? 'overloaded_error'
        : status >= 500
          ? 'api_error'
          : status === 401
            ? 'authentication_error'
            : status === 404
              ? 'not_found_error'
              : 'invalid_request_error';
  return { type: 'error', error: { type, message } };
}

/** An SSE event whose data is not JSON. */
export const ANTHROPIC_MALFORMED_EVENT: SseEvent = {
  text: 'event: content_block_delta\ndata: {"type": "content_block_delta", index: 0,\n\n',
  delta: false,
};
