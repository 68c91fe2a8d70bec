import OpenAI from 'openai';
import type { ProviderTransport } from './provider-options.js';
import { type WireFetch, wireFetch } from './wire-fetch.js';
import { WireHttp } from './wire-http.js';

export type OpenAIChatBody = OpenAI.ChatCompletionCreateParamsNonStreaming;

export interface TransportCallOptions {
  signal: AbortSignal;
  timeout: number;
}

/**
 * How the OpenAI adapter reaches chat completions. `create` resolves with the answer as the
 * vendor sent it (checked by the adapter); `stream` resolves once the stream opened with its
 * chunks, and ends quietly when the signal aborts. Failures are thrown as the vendor SDK's
 * errors (`sdk`) or their wire equivalents (`wire-http.ts`); `toForgeError` reads both alike.
 */
export interface OpenAITransport {
  create(body: OpenAIChatBody, options: TransportCallOptions): Promise<unknown>;
  stream(
    body: OpenAIChatBody,
    options: TransportCallOptions,
  ): Promise<AsyncIterable<OpenAI.ChatCompletionChunk>>;
  close(): Promise<void>;
}

/** The `openai` SDK over `wireFetch`'s keep-alive pool; it never retries. */
class SdkOpenAITransport implements OpenAITransport {
  readonly #client: OpenAI;
  readonly #wire: WireFetch;

  constructor(apiKey: string, baseUrl: string) {
    this.#wire = wireFetch();
    this.#client = new OpenAI({
      apiKey,
      baseURL: baseUrl,
      organization: null,
      project: null,
      maxRetries: 0,
      logLevel: 'off',
      fetch: this.#wire.fetch,
    });
  }

  create(body: OpenAIChatBody, options: TransportCallOptions): Promise<unknown> {
    return this.#client.chat.completions.create({ ...body, stream: false }, options);
  }

  async stream(body: OpenAIChatBody, options: TransportCallOptions) {
    return this.#client.chat.completions.create(
      { ...body, stream: true, stream_options: { include_usage: true } },
      options,
    );
  }

  close(): Promise<void> {
    return this.#wire.close();
  }
}

/**
 * Chat completions over `WireHttp`: the body written once with `JSON.stringify`, the answer
 * parsed once. The stream reads the SDK's way: `[DONE]` ends it, a chunk carrying `error` is
 * thrown as a stream error, a data line that is not JSON throws its `SyntaxError`.
 */
class WireOpenAITransport implements OpenAITransport {
  readonly #http: WireHttp;

  constructor(apiKey: string, baseUrl: string) {
    this.#http = new WireHttp(baseUrl, { authorization: `Bearer ${apiKey}` }, 'openai');
  }

  create(body: OpenAIChatBody, options: TransportCallOptions): Promise<unknown> {
    return this.#http.json('/chat/completions', JSON.stringify({ ...body, stream: false }), options.signal);
  }

  async stream(body: OpenAIChatBody, options: TransportCallOptions) {
    const http = this.#http;
    const events = await http.events(
      '/chat/completions',
      JSON.stringify({ ...body, stream: true, stream_options: { include_usage: true } }),
      options.signal,
    );
    return (async function* () {
      let done = false;
      for await (const sse of events) {
        if (done || sse.data.startsWith('[DONE]')) {
          done = true;
          continue;
        }
        // Assistants' `thread.*` events never come on chat completions.
        if (sse.event?.startsWith('thread.')) continue;
        const data = JSON.parse(sse.data) as OpenAI.ChatCompletionChunk & { error?: unknown };
        if (data?.error) throw http.streamError(data.error);
        yield data;
      }
    })();
  }

  close(): Promise<void> {
    return this.#http.close();
  }
}

/** The transport an OpenAI adapter was configured with. */
export function openAITransport(kind: ProviderTransport, apiKey: string, baseUrl: string): OpenAITransport {
  return kind === 'sdk' ? new SdkOpenAITransport(apiKey, baseUrl) : new WireOpenAITransport(apiKey, baseUrl);
}
