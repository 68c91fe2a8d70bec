import type { ForgeError, ModelUsage, ProviderKind } from '@forge/contracts';
import type { CallControl } from './call-control.js';
import { estimatePromptTokens, estimateTokens } from './estimate-tokens.js';
import type { FinishReason } from './finish-reason.js';
import { type ProviderRequest, zeroUsage } from './provider.js';
import { ProviderError } from './provider-error.js';
import { toForgeError } from './sdk-error.js';

/**
 * Usage for a stream that ended before the vendor's final count: what the vendor reported so
 * far (Anthropic sends the input side at the start), with the output raised to the estimate of
 * what arrived; or, when the vendor reported nothing (OpenAI sends usage last), an estimate of
 * the prompt and of what arrived. An aborted stream is billed for what was generated.
 */
export function partialUsage(
  request: ProviderRequest,
  received: string,
  known: ModelUsage | undefined,
): ModelUsage {
  const generated = estimateTokens(received);
  if (known) return { ...known, outputTokens: Math.max(known.outputTokens, generated) };
  return { ...zeroUsage(), inputTokens: estimatePromptTokens(request), outputTokens: generated };
}

export interface StreamBreak {
  finishReason: FinishReason;
  /** Absent when the caller aborted: that is the caller's choice, not a provider failure. */
  error?: ProviderError;
}

/**
 * Why a stream that did not finish normally ended. The SDKs end a stream silently when its
 * signal aborts, so `thrown` is undefined then and the control says whether it was the caller
 * or the timer; a stream that simply stopped short was cut off.
 */
export function streamBreak(
  thrown: unknown,
  control: CallControl,
  context: { provider: ProviderKind; model: string; beforeFirstToken: boolean; usage: ModelUsage },
): StreamBreak {
  if (control.callerAborted) return { finishReason: 'aborted' };
  const error: ForgeError =
    thrown === undefined && !control.timedOut
      ? new ProviderError(`${context.provider} ${context.model}: stream ended before its end event`, {
          kind: 'connection',
          provider: context.provider,
          model: context.model,
          beforeFirstToken: context.beforeFirstToken,
          usage: context.usage,
        })
      : toForgeError(thrown, control, context);
  if (error instanceof ProviderError) return { finishReason: 'error', error };
  // A non-provider ForgeError inside a stream (cannot happen with the SDKs' errors) still ends it.
  return {
    finishReason: 'error',
    error: new ProviderError(error.message, {
      kind: 'connection',
      provider: context.provider,
      model: context.model,
      beforeFirstToken: context.beforeFirstToken,
      usage: context.usage,
      cause: error,
    }),
  };
}
