import Anthropic from '@anthropic-ai/sdk';
import { ForgeError, type ModelUsage, type ProviderKind } from '@forge/contracts';
import OpenAI from 'openai';
import type { CallControl } from './call-control.js';
import { ProviderError, type ProviderErrorKind, parseRetryAfterMs } from './provider-error.js';
import { WireConnectionError, WireStatusError, WireStreamError } from './wire-http.js';

export interface ErrorContext {
  provider: ProviderKind;
  model: string;
  beforeFirstToken: boolean;
  usage?: ModelUsage;
}

type SdkApiError =
  | InstanceType<typeof Anthropic.APIError>
  | InstanceType<typeof OpenAI.APIError>
  | WireStatusError
  | WireStreamError;

/** An API error of either SDK, or its wire-client equivalent (a status error or a stream's error event). */
function isSdkApiError(error: unknown): error is SdkApiError {
  return (
    error instanceof Anthropic.APIError ||
    error instanceof OpenAI.APIError ||
    error instanceof WireStatusError ||
    error instanceof WireStreamError
  );
}

function isSdkConnectionTimeout(error: unknown): boolean {
  return (
    error instanceof Anthropic.APIConnectionTimeoutError || error instanceof OpenAI.APIConnectionTimeoutError
  );
}

function isSdkConnectionError(error: unknown): boolean {
  return (
    error instanceof Anthropic.APIConnectionError ||
    error instanceof OpenAI.APIConnectionError ||
    error instanceof WireConnectionError
  );
}

function kindOfStatus(status: number): ProviderErrorKind {
  if (status === 429) return 'rate_limited';
  if (status === 408) return 'timeout';
  if (status >= 500) return 'server';
  return 'client';
}

/** An error event inside an open stream (no HTTP status): overloaded or rate limited mid-stream. */
function kindOfStreamError(error: SdkApiError): ProviderErrorKind {
  const text = `${'type' in error ? String(error.type) : ''} ${error.message}`;
  return /rate.?limit/i.test(text) ? 'rate_limited' : 'server';
}

/**
 * Turns whatever an SDK call (or the wire client, whose errors mirror the SDKs') threw into Forge's terms: CANCELED when the caller aborted, else a
 * `ProviderError` with its kind. The message keeps the vendor's words (they carry no keys) and
 * the status, never the request.
 */
export function toForgeError(error: unknown, control: CallControl, context: ErrorContext): ForgeError {
  const base = {
    provider: context.provider,
    model: context.model,
    beforeFirstToken: context.beforeFirstToken,
    ...(context.usage === undefined ? {} : { usage: context.usage }),
    cause: error,
  };
  if (control.callerAborted) {
    return new ForgeError('CANCELED', `${context.provider} call to ${context.model} was canceled`, {
      retryable: false,
      cause: error,
    });
  }
  if (control.timedOut || isSdkConnectionTimeout(error)) {
    return new ProviderError(
      `${context.provider} ${context.model}: no answer within ${control.timeoutMs} ms`,
      {
        ...base,
        kind: 'timeout',
      },
    );
  }
  if (error instanceof ProviderError) return error;
  if (error instanceof ForgeError) return error;
  if (isSdkConnectionError(error)) {
    return new ProviderError(`${context.provider} ${context.model}: connection failed`, {
      ...base,
      kind: 'connection',
    });
  }
  if (isSdkApiError(error)) {
    if (typeof error.status === 'number') {
      const kind = kindOfStatus(error.status);
      const retryAfterMs = kind === 'rate_limited' ? parseRetryAfterMs(error.headers) : undefined;
      return new ProviderError(`${context.provider} ${context.model}: ${error.message}`, {
        ...base,
        kind,
        status: error.status,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      });
    }
    return new ProviderError(`${context.provider} ${context.model}: stream error: ${error.message}`, {
      ...base,
      kind: kindOfStreamError(error),
    });
  }
  if (error instanceof SyntaxError) {
    return new ProviderError(`${context.provider} ${context.model}: unparseable reply: ${error.message}`, {
      ...base,
      kind: 'bad_response',
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ProviderError(`${context.provider} ${context.model}: connection broke: ${message}`, {
    ...base,
    kind: 'connection',
  });
}
