import Anthropic from '@anthropic-ai/sdk';
import type { TransportCallOptions } from './openai-transport.js';
import type { ProviderTransport } from './provider-options.js';
import { type WireFetch, wireFetch } from './wire-fetch.js';
import { WireHttp } from './wire-http.js';

export type AnthropicBody = Anthropic.MessageCreateParamsNonStreaming;

/**
 * The messages-API version the wire client speaks: the one `@anthropic-ai/sdk` (the pinned
 * version) sends, so both transports ask for the same API.
 */
export const ANTHROPIC_VERSION = '2026-10-21';

/**
 * How the Anthropic adapter reaches the messages API; the same contract as `OpenAITransport`
 * (answers as sent, streams that end quietly on abort, SDK errors or their wire equivalents).
 */
export interface AnthropicTransport {
  create(body: AnthropicBody, options: TransportCallOptions): Promise<unknown>;
  stream(
    body: AnthropicBody,
    options: TransportCallOptions,
  ): Promise<AsyncIterable<Anthropic.RawMessageStreamEvent>>;
  close(): Promise<void>;
}

/** `@anthropic-ai/sdk` over `wireFetch`'s keep-alive pool; it never retries. */
class SdkAnthropicTransport implements AnthropicTransport {
  readonly #client: Anthropic;
  readonly #wire: WireFetch;

  constructor(apiKey: string, baseUrl: string) {
    this.#wire = wireFetch();
    this.#client = new Anthropic({
      apiKey,
      authToken: null,
      baseURL: baseUrl,
      maxRetries: 0,
      logLevel: 'off',
      fetch: this.#wire.fetch,
    });
  }

  create(body: AnthropicBody, options: TransportCallOptions): Promise<unknown> {
    return this.#client.messages.create({ ...body, stream: false }, options);
  }

  async stream(body: AnthropicBody, options: TransportCallOptions) {
    return this.#client.messages.create({ ...body, stream: true }, options);
  }

  close(): Promise<void> {
    return this.#wire.close();
  }
}

/**
 * The messages API over `WireHttp`. The stream reads the SDK's way: `ping` and unnamed events are
 * skipped, an `error` event is thrown as a stream error, an event whose data is not JSON throws
 * its `SyntaxError`.
 */
class WireAnthropicTransport implements AnthropicTransport {
  readonly #http: WireHttp;

  constructor(apiKey: string, baseUrl: string) {
    this.#http = new WireHttp(
      baseUrl,
      // As the pinned SDK sends the key: a bearer token (it no longer sends `x-api-key`).
      { authorization: `Bearer ${apiKey}`, 'anthropic-version': ANTHROPIC_VERSION },
      'anthropic',
    );
  }

  create(body: AnthropicBody, options: TransportCallOptions): Promise<unknown> {
    return this.#http.json('/v1/messages', JSON.stringify({ ...body, stream: false }), options.signal);
  }

  async stream(body: AnthropicBody, options: TransportCallOptions) {
    const http = this.#http;
    const events = await http.events(
      '/v1/messages',
      JSON.stringify({ ...body, stream: true }),
      options.signal,
    );
    return (async function* () {
      for await (const sse of events) {
        if (sse.event === 'ping' || sse.event === null) continue;
        if (sse.event === 'error') {
          let payload: unknown;
          try {
            payload = JSON.parse(sse.data);
          } catch {
            payload = sse.data;
          }
          throw http.streamError(payload ?? sse.data);
        }
        if (!sse.data) continue;
        yield JSON.parse(sse.data) as Anthropic.RawMessageStreamEvent;
      }
    })();
  }

  close(): Promise<void> {
    return this.#http.close();
  }
}

/** The transport an Anthropic adapter was configured with. */
export function anthropicTransport(
  kind: ProviderTransport,
  apiKey: string,
  baseUrl: string,
): AnthropicTransport {
  return kind === 'sdk'
    ? new SdkAnthropicTransport(apiKey, baseUrl)
    : new WireAnthropicTransport(apiKey, baseUrl);
}
