/** The two wire formats the fake LLM server speaks. */
export type FakeRoute = 'openai' | 'anthropic';

/**
 * Token counts in Forge's normalised terms (contracts `ModelUsage`). The server renders them in
 * each vendor's own usage semantics: OpenAI's `prompt_tokens` includes cached and cache-written
 * tokens and reports `cached_tokens` inside it; Anthropic's `input_tokens` excludes cache reads
 * and writes, which it reports beside it. Reasoning tokens are part of `outputTokens` in both.
 */
export interface FakeUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  /** 5-minute cache writes (Anthropic `ephemeral_5m_input_tokens`). */
  cacheWriteTokens: number;
  /** 1-hour cache writes (Anthropic `ephemeral_1h_input_tokens`). */
  cacheWrite1hTokens: number;
  reasoningTokens: number;
}

/**
 * One scripted reply. Every field is optional: an empty reply is a success whose text echoes
 * the last user message and whose usage is counted from the request (characters / 4).
 */
export interface FakeReply {
  /** Which requests this reply may answer; unset fields match anything. */
  match?: {
    route?: FakeRoute;
    model?: string;
    /** The structured output's name (Anthropic's forced tool, OpenAI's json_schema name). */
    output?: string;
  };
  /** Answer every matching request with this reply, and keep it queued. */
  repeat?: boolean;
  /** HTTP status; 200 by default. A non-2xx status sends the vendor's error body. */
  status?: number;
  /** Sent as `retry-after` (seconds). */
  retryAfterSeconds?: number;
  /** Sent as `retry-after-ms`. */
  retryAfterMs?: number;
  /** Extra response headers. */
  headers?: Record<string, string>;
  /** Message text of a success. */
  text?: string;
  /**
   * Structured output. Answers as a tool call when the request offered tools (Anthropic
   * `tool_use`, OpenAI `tool_calls`), otherwise as the message text, JSON-encoded.
   */
  json?: unknown;
  /**
   * Structured output computed from the request (the prompt's text, the last user message):
   * for replies that must echo what the prompt holds, such as the ids of the items to score.
   * Wins over `json`.
   */
  jsonFor?: (request: { promptText: string; lastUserText: string }) => unknown;
  /** Name of the tool called with `json`; defaults to the forced or first offered tool. */
  toolName?: string;
  /** Usage to report; missing fields are counted from the request and the reply text. */
  usage?: Partial<FakeUsage>;
  /** Sent verbatim as the vendor `usage` object instead of one rendered from `usage`. */
  rawUsage?: Record<string, unknown>;
  /** Vendor finish/stop reason; `stop`/`end_turn` (or `tool_calls`/`tool_use`) by default. */
  finishReason?: string;
  /** Model name in the response; the requested model by default. */
  responseModel?: string;
  /** Milliseconds to wait before sending the status line and headers (slow or timed-out calls). */
  delayMs?: number;
  /** Streams: milliseconds between SSE events. */
  chunkDelayMs?: number;
  /** Streams: the text pieces to send; the text split in small pieces by default. */
  chunks?: string[];
  /**
   * Cut the connection: for a stream, after this many content deltas have been sent; for a plain
   * reply, after half of the body has been sent.
   */
  cutAfterChunks?: number;
  /** Send a body (or, for a stream, an SSE event) that is not valid JSON. */
  malformed?: boolean;
  /** Send this JSON as the whole body instead of a rendered one (wrong-shape replies). */
  body?: unknown;
}

/** What the server saw of one request, kept for assertions. */
export interface RecordedRequest {
  route: FakeRoute;
  method: string;
  path: string;
  /** `model` from the body, or '' when the body had none. */
  model: string;
  stream: boolean;
  /** The parsed JSON body (undefined when it was not JSON). */
  body: unknown;
  /** Lower-cased header names, as node received them. */
  headers: Record<string, string | string[] | undefined>;
  receivedAt: number;
}
