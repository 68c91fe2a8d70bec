import type { FakeUsage } from './fake-reply.js';
import type { ReplyPlan } from './reply-plan.js';
import type { RequestView } from './request-view.js';
import type { SseEvent } from './sse-event.js';

/** OpenAI usage: `prompt_tokens` includes cached and cache-written tokens; reasoning is inside completion. */
export function openAIUsage(usage: FakeUsage): Record<string, unknown> {
  const prompt =
    usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens + usage.cacheWrite1hTokens;
  return {
    prompt_tokens: prompt,
    completion_tokens: usage.outputTokens,
    total_tokens: prompt + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cacheReadTokens, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: usage.reasoningTokens,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

function finishReasonOf(plan: ReplyPlan): string {
  return plan.finishReason ?? (plan.tool ? 'tool_calls' : 'stop');
}

/** A `chat.completion` object for a non-streaming reply. */
export function openAICompletion(plan: ReplyPlan): Record<string, unknown> {
  const message: Record<string, unknown> = {
    role: 'assistant',
    content: plan.tool ? null : plan.text,
    refusal: null,
    annotations: [],
  };
  if (plan.tool) {
    message.tool_calls = [
      {
        id: plan.tool.id,
        type: 'function',
        function: { name: plan.tool.name, arguments: plan.tool.arguments },
      },
    ];
  }
  return {
    id: `chatcmpl-${plan.id}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: plan.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReasonOf(plan) }],
    usage: plan.rawUsage ?? openAIUsage(plan.usage),
    service_tier: 'default',
    system_fingerprint: 'fp_fake',
  };
}

/**
 * The SSE events of a streamed reply: a role chunk, one chunk per piece, a finish chunk, then
 * (when the request asked with `stream_options.include_usage`) a usage chunk with no choices,
 * and `[DONE]`. Every chunk carries `usage: null` when usage was asked for, as OpenAI does.
 */
export function openAIStreamEvents(plan: ReplyPlan, view: RequestView): SseEvent[] {
  const created = Math.floor(Date.now() / 1000);
  const head = `{"id":"chatcmpl-${plan.id}","object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(plan.model)},"system_fingerprint":"fp_fake",`;
  const usageNull = view.includeUsage ? ',"usage":null' : '';
  const chunk = (delta: unknown, finish: string | null): string =>
    `data: ${head}"choices":[{"index":0,"delta":${JSON.stringify(delta)},"logprobs":null,"finish_reason":${finish === null ? 'null' : JSON.stringify(finish)}}]${usageNull}}\n\n`;

  const events: SseEvent[] = [];
  if (plan.tool) {
    const tool = plan.tool;
    events.push({
      text: chunk(
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { index: 0, id: tool.id, type: 'function', function: { name: tool.name, arguments: '' } },
          ],
        },
        null,
      ),
      delta: false,
    });
    for (const piece of plan.chunks) {
      events.push({
        text: chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] }, null),
        delta: true,
      });
    }
  } else {
    events.push({ text: chunk({ role: 'assistant', content: '', refusal: null }, null), delta: false });
    for (const piece of plan.chunks) events.push({ text: chunk({ content: piece }, null), delta: true });
  }
  events.push({ text: chunk({}, finishReasonOf(plan)), delta: false });
  if (view.includeUsage) {
    const usage = JSON.stringify(plan.rawUsage ?? openAIUsage(plan.usage));
    events.push({ text: `data: ${head}"choices":[],"usage":${usage}}\n\n`, delta: false });
  }
  events.push({ text: 'data: [DONE]\n\n', delta: false });
  return events;
}

/** OpenAI's error body. */
export function openAIError(status: number, message: string): Record<string, unknown> {
  const type =
    status === 429 ? 'rate_limit_exceeded' : status >= 500 ? 'server_error' : 'invalid_request_error';
  return { error: { message, type, param: null, code: type } };
}

/** An SSE data line that is not JSON. */
export const OPENAI_MALFORMED_EVENT: SseEvent = {
  text: 'data: {"id": "chatcmpl-broken", choices: [\n\n',
  delta: false,
};
