import { parseOrThrow } from '@forge/contracts';
import type OpenAI from 'openai';
import { z } from 'zod';
import { CallControl } from './call-control.js';
import { fromOpenAIFinishReason } from './finish-reason.js';
import { openAIBadResponse, openAIBody, openAIResult } from './openai-chat.js';
import { type OpenAITransport, openAITransport } from './openai-transport.js';
import type {
  ModelProvider,
  ProviderCallOptions,
  ProviderRequest as ProviderRequestType,
  ProviderResult,
  ProviderStreamEvent,
} from './provider.js';
import { ProviderRequest } from './provider.js';
import { ProviderOptions } from './provider-options.js';
import { isOpenAIUsage } from './reply-shape.js';
import { toForgeError } from './sdk-error.js';
import { partialUsage, streamBreak } from './stream-end.js';
import { checkStructured, objectRoot } from './structured-output.js';
import { fromOpenAIUsage, OpenAIUsage } from './usage.js';

export const OpenAIProviderOptions = ProviderOptions.extend({
  /**
   * `openai` (default) or `openai-compatible`: any server speaking OpenAI's wire format by base
   * URL (llama.cpp, Ollama, vLLM). Those take `max_tokens` rather than `max_completion_tokens`
   * and often need no key.
   */
  kind: z.enum(['openai', 'openai-compatible']).default('openai'),
  apiKey: z.string().min(1).optional(),
})
  .refine((options) => options.kind === 'openai-compatible' || options.apiKey !== undefined, {
    path: ['apiKey'],
    message: 'required for kind openai',
  })
  .refine((options) => options.kind === 'openai' || options.baseUrl !== undefined, {
    path: ['baseUrl'],
    message: 'required for kind openai-compatible',
  });
export type OpenAIProviderOptions = z.input<typeof OpenAIProviderOptions>;

/**
 * OpenAI chat-completions for OpenAI and OpenAI-compatible servers, over the thin wire client
 * (default) or the `openai` SDK (`transport: 'sdk'`).
 * Structured output is `response_format: json_schema` (not strict: strict mode refuses schemas
 * with optional fields, and every reply is checked against the schema here anyway). Streams ask
 * for usage with `stream_options.include_usage`. The SDK never retries.
 */
export class OpenAIProvider implements ModelProvider {
  readonly kind: 'openai' | 'openai-compatible';
  /** The HTTP side (wire client or SDK) over a keep-alive connection pool, closed with the provider. */
  readonly #transport: OpenAITransport;

  /** `apiKey` comes from the router's config (env or a mounted file); it is never logged. */
  constructor(options: OpenAIProviderOptions) {
    const parsed = parseOrThrow(OpenAIProviderOptions, options, 'OpenAI provider options');
    this.kind = parsed.kind;
    this.#transport = openAITransport(
      parsed.transport,
      // Local servers ignore the key; the SDK insists on one.
      parsed.apiKey ?? 'not-needed',
      parsed.baseUrl ?? 'https://api.openai.com/v1',
    );
  }

  /** Closes its connections once the calls in flight ended; later calls fail. */
  close(): Promise<void> {
    return this.#transport.close();
  }

  async complete(request: ProviderRequestType, options?: ProviderCallOptions): Promise<ProviderResult> {
    const req = parseOrThrow(ProviderRequest, request, 'provider request');
    const root = req.output ? objectRoot(req.output.jsonSchema) : undefined;
    const control = new CallControl(options);
    try {
      const raw = await this.#transport.create(openAIBody(req, root, this.kind), {
        signal: control.signal,
        timeout: control.timeoutMs,
      });
      return openAIResult(req, root, raw, this.kind);
    } catch (error) {
      throw toForgeError(error, control, { provider: this.kind, model: req.model, beforeFirstToken: true });
    } finally {
      control.dispose();
    }
  }

  async *stream(
    request: ProviderRequestType,
    options?: ProviderCallOptions,
  ): AsyncIterable<ProviderStreamEvent> {
    const req = parseOrThrow(ProviderRequest, request, 'provider request');
    const root = req.output ? objectRoot(req.output.jsonSchema) : undefined;
    const control = new CallControl(options);
    let chunks: AsyncIterable<OpenAI.ChatCompletionChunk>;
    try {
      chunks = await this.#transport.stream(openAIBody(req, root, this.kind), {
        signal: control.signal,
        timeout: control.timeoutMs,
      });
    } catch (error) {
      control.dispose();
      throw toForgeError(error, control, { provider: this.kind, model: req.model, beforeFirstToken: true });
    }

    let text = '';
    let model = req.model;
    let finish: string | null = null;
    let rawUsage: Record<string, unknown> | null = null;
    let thrown: unknown;
    try {
      for await (const chunk of chunks) {
        control.restartTimer();
        model = chunk.model ?? model;
        const choice = chunk.choices[0];
        const delta = choice?.delta?.content;
        if (delta) {
          text += delta;
          control.pauseTimer();
          yield { type: 'text', text: delta };
          control.restartTimer();
        }
        if (choice?.finish_reason) finish = choice.finish_reason;
        if (chunk.usage) rawUsage = { ...chunk.usage };
      }
    } catch (error) {
      thrown = error;
    } finally {
      control.dispose();
    }

    const known =
      rawUsage && (isOpenAIUsage(rawUsage) || OpenAIUsage.safeParse(rawUsage).success)
        ? fromOpenAIUsage(rawUsage)
        : undefined;
    const base = { text, rawUsage, rawFinishReason: finish, model, provider: this.kind } as const;
    const ended = thrown === undefined && !control.signal.aborted && finish !== null;
    if (!ended) {
      const usage = partialUsage(req, text, known);
      const broke = streamBreak(thrown, control, {
        provider: this.kind,
        model: req.model,
        beforeFirstToken: text === '',
        usage,
      });
      yield {
        type: 'final',
        result: { ...base, usage, usageEstimated: true, finishReason: broke.finishReason },
        ...(broke.error ? { error: broke.error } : {}),
      };
      return;
    }
    // A compatible server may not honour include_usage: the stream finished, its usage is estimated.
    const usage = known ?? partialUsage(req, text, undefined);
    const result: ProviderResult = {
      ...base,
      usage,
      usageEstimated: known === undefined,
      finishReason: fromOpenAIFinishReason(finish),
    };
    if (!root) {
      yield { type: 'final', result };
      return;
    }
    const checked = checkStructured({ text }, root);
    if (checked.ok) yield { type: 'final', result: { ...result, output: checked.value } };
    else
      yield {
        type: 'final',
        result,
        error: openAIBadResponse(this.kind, req.model, checked.reason, usage, false),
      };
  }
}
