import type Anthropic from '@anthropic-ai/sdk';
import { type ModelUsage, parseOrThrow } from '@forge/contracts';
import { anthropicBadResponse, anthropicBody, anthropicResult } from './anthropic-message.js';
import { type AnthropicTransport, anthropicTransport } from './anthropic-transport.js';
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
import { ProviderOptions } from './provider-options.js';
import { isAnthropicUsage } from './reply-shape.js';
import { toForgeError } from './sdk-error.js';
import { partialUsage, streamBreak } from './stream-end.js';
import { checkStructured, objectRoot } from './structured-output.js';
import { AnthropicUsage, fromAnthropicUsage } from './usage.js';

/**
 * Anthropic's messages API over the thin wire client (default) or `@anthropic-ai/sdk`
 * (`transport: 'sdk'`). Structured output is a forced tool call
 * (`tool_choice: {type: 'tool'}`): it works on every Claude model and takes any JSON Schema,
 * where the native JSON output format refuses some schema keywords. The SDK never retries.
 */
export class AnthropicProvider implements ModelProvider {
  readonly kind = 'anthropic' as const;
  /** The HTTP side (wire client or SDK) over a keep-alive connection pool, closed with the provider. */
  readonly #transport: AnthropicTransport;

  /** `apiKey` comes from the router's config (env or a mounted file); it is never logged. */
  constructor(options: ProviderOptions) {
    const { apiKey, baseUrl, transport } = parseOrThrow(
      ProviderOptions,
      options,
      'Anthropic provider options',
    );
    this.#transport = anthropicTransport(transport, apiKey, baseUrl ?? 'https://api.anthropic.com');
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
      const raw = await this.#transport.create(anthropicBody(req, root), {
        signal: control.signal,
        timeout: control.timeoutMs,
      });
      return anthropicResult(req, root, raw);
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
      events = await this.#transport.stream(anthropicBody(req, root), {
        signal: control.signal,
        timeout: control.timeoutMs,
      });
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
          error: anthropicBadResponse(req.model, checked.reason, result.usage, text === ''),
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
}

/** Stream usage: later events repeat or update counts; a null or missing count keeps the earlier one. */
function mergeUsage(previous: Record<string, unknown> | null, next: object): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...previous };
  for (const [key, value] of Object.entries(next))
    if (value !== null && value !== undefined) merged[key] = value;
  return merged;
}

function safeUsage(raw: Record<string, unknown>): ModelUsage | undefined {
  return isAnthropicUsage(raw) || AnthropicUsage.safeParse(raw).success ? fromAnthropicUsage(raw) : undefined;
}
