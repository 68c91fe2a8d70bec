/**
 * Why a call ended, the same words for every vendor:
 * `stop` the model finished (including a forced structured-output tool call), `length` it hit
 * `maxTokens` or its context, `tool_use` it called a tool it was not forced to, `content_filter` /
 * `refusal` it declined, `aborted` the caller stopped it, `error` a timeout or a broken
 * connection ended it, `other` anything else the vendor said.
 */
export type FinishReason =
  | 'stop'
  | 'length'
  | 'tool_use'
  | 'content_filter'
  | 'refusal'
  | 'aborted'
  | 'error'
  | 'other';

/** Anthropic `stop_reason` → FinishReason. `forcedTool` makes `tool_use` a normal stop. */
export function fromAnthropicStopReason(
  reason: string | null | undefined,
  forcedTool: boolean,
): FinishReason {
  switch (reason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return forcedTool ? 'stop' : 'tool_use';
    case 'refusal':
      return 'refusal';
    default:
      return 'other';
  }
}

/** OpenAI `finish_reason` → FinishReason. */
export function fromOpenAIFinishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'stop':
      return 'stop';
    case 'length':
      return 'length';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'content_filter';
    default:
      return 'other';
  }
}
