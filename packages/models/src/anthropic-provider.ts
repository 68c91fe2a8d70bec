import Anthropic from '@anthropic-ai/sdk';
import { type ModelUsage, parseOrThrow } from '@forge/contracts';
import { z } from 'zod';
import { CallControl } from './call-control.js';
import { fromAnthropicStopReason } from './finish-reason.js';
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
import { AnthropicUsage, fromAnthropicUsage } from './usage.js';

/** The parts of a `message` the adapter reads; anything else the vendor adds is ignored. */
const AnthropicMessage = z.looseObject({
  model: z.string(),
  content: z.array(
    z.looseObject({
      type: z.string(),
      text: z.string().optional(),
      name: z.string().optional(),
      input: z.unknown().optional(),
    }),
  ),
  stop_reason: z.string().nullable(),
  usage: AnthropicUsage,
});

const TOOL_DESCRIPTION = 'Return the result as structured JSON matching the input schema.';

/**
 * Anthropic's messages API through `@anthropic-ai/sdk`. Structured output is a forced tool call
 * (`tool_choice: {type: 'tool'}`): it works on every Claude model and takes any JSON Schema,
 * where the native JSON output format refuses some schema keywords. The SDK never retries.
 */
export class AnthropicProvider implements ModelProvider {
  readonly kind = 'anthropic' as const;
  readonly #client: Anthropic;

  /** `apiKey` comes from the router's config (env or a mounted file); it is never logged. */
  constructor(options: ProviderOptions) {
    const { apiKey, baseUrl } = parseOrThrow(ProviderOptions, options, 'Anthropic provider options');
    this.#client = new Anthropic({
      apiKey,
      authToken: null,
      baseURL: baseUrl ?? 'https://api.anthropic.com',
      maxRetries: 0,
      logLevel: 'off',
    });
  }

  async complete(request: ProviderRequestType, options?: ProviderCallOptions): Promise<ProviderResult> {
    const req = parseOrThrow(ProviderRequest, request, 'provider request');
    const root = req.output ? objectRoot(req.output.jsonSchema) : undefined;
    const control = new CallControl(options);
    try {
      const raw = await this.#client.messages.create(
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
    let events: AsyncIterable<Anthropic.RawMessageStreamEvent>;
    try {
      events = await this.#client.messages.create(
        { ...this.#body(req, root), stream: true },
        { signal: control.signal, timeout: control.timeoutMs },
      );
    } catch (error) {
      control.dispose();
      throw toForgeError(error, control, { provider: this.kind, model: req.model, beforeFirstToken: true });
    }

    let text = '';
    let json = '';
    let model = req.model;
    let stopReason: string | null = null;
    let rawUsage: Record<string, unknown> | null = null;
    let finished = false;
    let thrown: unknown;
    try {
      for await (const event of events) {
        control.restartTimer();
        if (event.type === 'message_start') {
          model = event.message.model;
          rawUsage = mergeUsage(rawUsage, event.message.usage);
        } else if (event.type === 'content_block_delta') {
          if (event.delta.type === 'text_delta') {
            text += event.delta.text;
            control.pauseTimer();
            yield { type: 'text', text: event.delta.text };
            control.restartTimer();
          } else if (event.delta.type === 'input_json_delta') {
            json += event.delta.partial_json;
          }
        } else if (event.type === 'message_delta') {
          stopReason = event.delta.stop_reason;
          rawUsage = mergeUsage(rawUsage, event.usage);
        } else if (event.type === 'message_stop') {
          finished = true;
        }
      }
    } catch (error) {
      thrown = error;
    } finally {
      control.dispose();
    }

    const base = { rawUsage, rawFinishReason: stopReason, model, provider: this.kind } as const;
    const known = rawUsage ? safeUsage(rawUsage) : undefined;
    if (finished && thrown === undefined) {
      const result: ProviderResult = {
        ...base,
        text: req.output && json !== '' ? json : text,
        usage: known ?? partialUsage(req, text + json, undefined),
        usageEstimated: known === undefined,
        finishReason: fromAnthropicStopReason(stopReason, req.output !== undefined),
      };
      if (!root) {
        yield { type: 'final', result };
        return;
      }
      const checked = checkStructured({ text: result.text }, root);
      if (checked.ok) yield { type: 'final', result: { ...result, output: checked.value } };
      else
        yield {
          type: 'final',
          result,
          error: this.#badResponse(req.model, checked.reason, result.usage, text === ''),
        };
      return;
    }
    const usage = partialUsage(req, text + json, known);
    const ended = streamBreak(thrown, control, {
      provider: this.kind,
      model: req.model,
      beforeFirstToken: text === '',
      usage,
    });
    yield {
      type: 'final',
      result: { ...base, text: text || json, usage, usageEstimated: true, finishReason: ended.finishReason },
      ...(ended.error ? { error: ended.error } : {}),
    };
  }

  #body(req: ProviderRequestType, root: ObjectRoot | undefined): Anthropic.MessageCreateParamsNonStreaming {
    const body: Anthropic.MessageCreateParamsNonStreaming = {
      model: req.model,
      max_tokens: req.maxTokens,
      messages: req.messages.map((message) => ({ role: message.role, content: message.content })),
    };
    if (req.system !== undefined) body.system = req.system;
    // `temperature` is not sent: the messages API of SDK 1.14 no longer takes sampling settings.
    if (req.output && root) {
      body.tools = [
        {
          name: req.output.name,
          description: TOOL_DESCRIPTION,
          input_schema: root.schema as Anthropic.Tool.InputSchema,
        },
      ];
      body.tool_choice = { type: 'tool', name: req.output.name };
    }
    return body;
  }

  #result(req: ProviderRequestType, root: ObjectRoot | undefined, raw: unknown): ProviderResult {
    const parsed = AnthropicMessage.safeParse(raw);
    if (!parsed.success) {
      const where = parsed.error.issues.map((issue) => issue.path.join('.') || '(root)').join(', ');
      throw this.#badResponse(req.model, `reply is not an Anthropic message (${where})`, undefined, true);
    }
    const message = parsed.data;
    const usage = fromAnthropicUsage(message.usage);
    const text = message.content.map((block) => (block.type === 'text' ? (block.text ?? '') : '')).join('');
    const result: ProviderResult = {
      text,
      usage,
      rawUsage: message.usage,
      usageEstimated: false,
      finishReason: fromAnthropicStopReason(message.stop_reason, req.output !== undefined),
      rawFinishReason: message.stop_reason,
      model: message.model,
      provider: this.kind,
    };
    if (!req.output || !root) return result;
    const call = message.content.find(
      (block) => block.type === 'tool_use' && block.name === req.output?.name,
    );
    // Without the tool call, a model may still have answered with the JSON as text.
    const checked = checkStructured(call ? { value: call.input } : { text }, root);
    if (!checked.ok) throw this.#badResponse(req.model, checked.reason, usage, true);
    return { ...result, text: call ? JSON.stringify(checked.value) : text, output: checked.value };
  }

  #badResponse(model: string, reason: string, usage: ModelUsage | undefined, beforeFirstToken: boolean) {
    return new ProviderError(`anthropic ${model}: ${reason}`, {
      kind: 'bad_response',
      provider: this.kind,
      model,
      beforeFirstToken,
      ...(usage ? { usage } : {}),
    });
  }
}

/** Stream usage: later events repeat or update counts; a null or missing count keeps the earlier one. */
function mergeUsage(previous: Record<string, unknown> | null, next: object): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...previous };
  for (const [key, value] of Object.entries(next))
    if (value !== null && value !== undefined) merged[key] = value;
  return merged;
}

function safeUsage(raw: Record<string, unknown>): ModelUsage | undefined {
  return AnthropicUsage.safeParse(raw).success ? fromAnthropicUsage(raw) : undefined;
}
