import { type ModelUsage, parseOrThrow } from '@forge/contracts';
import OpenAI from 'openai';
import { z } from 'zod';
import { CallControl } from './call-control.js';
import { fromOpenAIFinishReason } from './finish-reason.js';
import type {
  ModelProvider,
  ProviderCallOptions,
  ProviderRequest as ProviderRequestType,
  ProviderResult,
  ProviderStreamEvent,
} from './provider.js';
import { ProviderRequest } from './provider.js';
import { ProviderError } from './provider-error.js';
import { ProviderOptions } from './provider-options.js';
import { toForgeError } from './sdk-error.js';
import { partialUsage, streamBreak } from './stream-end.js';
import { checkStructured, type ObjectRoot, objectRoot } from './structured-output.js';
import { fromOpenAIUsage, OpenAIUsage } from './usage.js';

/** The parts of a `chat.completion` the adapter reads. */
const OpenAICompletion = z.looseObject({
  model: z.string(),
  choices: z
    .array(
      z.looseObject({
        message: z.looseObject({ content: z.string().nullable(), refusal: z.string().nullish() }),
        finish_reason: z.string().nullable(),
      }),
    )
    .min(1),
  usage: OpenAIUsage.nullish(),
});

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
 * OpenAI chat-completions through the `openai` SDK, for OpenAI and OpenAI-compatible servers.
 * Structured output is `response_format: json_schema` (not strict: strict mode refuses schemas
 * with optional fields, and every reply is checked against the schema here anyway). Streams ask
 * for usage with `stream_options.include_usage`. The SDK never retries.
 */
export class OpenAIProvider implements ModelProvider {
  readonly kind: 'openai' | 'openai-compatible';
  readonly #client: OpenAI;

  /** `apiKey` comes from the router's config (env or a mounted file); it is never logged. */
  constructor(options: OpenAIProviderOptions) {
    const parsed = parseOrThrow(OpenAIProviderOptions, options, 'OpenAI provider options');
    this.kind = parsed.kind;
    this.#client = new OpenAI({
      // Local servers ignore the key; the SDK insists on one.
      apiKey: parsed.apiKey ?? 'not-needed',
      baseURL: parsed.baseUrl ?? 'https://api.openai.com/v1',
      organization: null,
      project: null,
      maxRetries: 0,
      logLevel: 'off',
    });
  }

  async complete(request: ProviderRequestType, options?: ProviderCallOptions): Promise<ProviderResult> {
    const req = parseOrThrow(ProviderRequest, request, 'provider request');
    const root = req.output ? objectRoot(req.output.jsonSchema) : undefined;
    const control = new CallControl(options);
    try {
      const raw = await this.#client.chat.completions.create(
        { ...this.#body(req, root), stream: false },
        { signal: control.signal, timeout: control.timeoutMs },
      );
      return this.#result(req, root, raw);
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
      chunks = await this.#client.chat.completions.create(
        { ...this.#body(req, root), stream: true, stream_options: { include_usage: true } },
        { signal: control.signal, timeout: control.timeoutMs },
      );
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

    const known = rawUsage && OpenAIUsage.safeParse(rawUsage).success ? fromOpenAIUsage(rawUsage) : undefined;
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
    else yield { type: 'final', result, error: this.#badResponse(req.model, checked.reason, usage, false) };
  }

  #body(
    req: ProviderRequestType,
    root: ObjectRoot | undefined,
  ): OpenAI.ChatCompletionCreateParamsNonStreaming {
    const messages: OpenAI.ChatCompletionMessageParam[] = [];
    if (req.system !== undefined) messages.push({ role: 'system', content: req.system });
    for (const message of req.messages) messages.push({ role: message.role, content: message.content });
    const body: OpenAI.ChatCompletionCreateParamsNonStreaming = { model: req.model, messages };
    // OpenAI's reasoning models take only max_completion_tokens; local servers know max_tokens.
    if (this.kind === 'openai') body.max_completion_tokens = req.maxTokens;
    else body.max_tokens = req.maxTokens;
    if (req.temperature !== undefined) body.temperature = req.temperature;
    if (req.output && root) {
      body.response_format = {
        type: 'json_schema',
        json_schema: { name: req.output.name, schema: root.schema, strict: false },
      };
    }
    return body;
  }

  #result(req: ProviderRequestType, root: ObjectRoot | undefined, raw: unknown): ProviderResult {
    const parsed = OpenAICompletion.safeParse(raw);
    if (!parsed.success) {
      const where = parsed.error.issues.map((issue) => issue.path.join('.') || '(root)').join(', ');
      throw this.#badResponse(req.model, `reply is not a chat completion (${where})`, undefined, true);
    }
    const completion = parsed.data;
    const choice = completion.choices[0]!;
    const refusal = choice.message.refusal ?? null;
    const text = choice.message.content ?? refusal ?? '';
    const usage = completion.usage ? fromOpenAIUsage(completion.usage) : partialUsage(req, text, undefined);
    const result: ProviderResult = {
      text,
      usage,
      rawUsage: completion.usage ?? null,
      usageEstimated: !completion.usage,
      finishReason: refusal !== null ? 'refusal' : fromOpenAIFinishReason(choice.finish_reason),
      rawFinishReason: choice.finish_reason,
      model: completion.model,
      provider: this.kind,
    };
    if (!root) return result;
    if (refusal !== null) throw this.#badResponse(req.model, `model refused: ${refusal}`, usage, true);
    const checked = checkStructured({ text }, root);
    if (!checked.ok) throw this.#badResponse(req.model, checked.reason, usage, true);
    return { ...result, output: checked.value };
  }

  #badResponse(model: string, reason: string, usage: ModelUsage | undefined, beforeFirstToken: boolean) {
    return new ProviderError(`${this.kind} ${model}: ${reason}`, {
      kind: 'bad_response',
      provider: this.kind,
      model,
      beforeFirstToken,
      ...(usage ? { usage } : {}),
    });
  }
}
