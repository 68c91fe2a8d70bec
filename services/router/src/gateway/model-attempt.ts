import { ForgeError, type ModelUsage, type Tier } from '@forge/contracts';
import {
  costMicros,
  estimatePromptTokens,
  isOfflineRefusal,
  isProviderError,
  type ProviderRequest,
  type ProviderResult,
  withModelCallSpan,
  zeroUsage,
} from '@forge/models';
import type { ModelCandidate, RoutingConfig } from '@forge/policy';
import { SpanStatusCode } from '@opentelemetry/api';
import type { BudgetGate } from '../budgets/budget-gate.js';
import type { CallLedger } from '../ledger/call-ledger.js';
import type { CachePlanner } from './cache-planner.js';
import type { CallContext, CallHooks, CallInput } from './call-context.js';
import { DeadlineSignal } from './deadline-signal.js';
import type { ProviderPool } from './provider-pool.js';

/** How long a hold outlives its call's deadline: the settlement's write-behind and its retries. */
export const SETTLE_MARGIN_MS = 30_000;

/** One try of one model: what the gateway decided about it before it ran. */
export interface AttemptSpec {
  tier: Tier;
  candidate: ModelCandidate;
  escalated: boolean;
  fellBack: boolean;
  /** Why this attempt happens (a retry, a fallback, an escalation), for its ledger row. */
  reason: string | null;
  /** Epoch ms by which the whole gateway call must end. */
  deadline: number;
}

export interface AttemptDeps {
  config: RoutingConfig;
  providers: ProviderPool;
  gate: BudgetGate;
  ledger: CallLedger;
  ctx: CallContext;
  input: CallInput;
  hooks: CallHooks;
  cache?: CachePlanner | undefined;
}

export type AttemptResult =
  | { kind: 'ok'; result: ProviderResult; providerMs: number }
  | { kind: 'refused'; reason: string; providerMs: 0 }
  /** `sentText`: deltas already went to the caller, so no other model may take over. */
  | { kind: 'failed'; error: ForgeError; sentText: boolean; providerMs: number };

function outcomeOf(error: ForgeError): string {
  if (isProviderError(error)) return error.kind;
  if (isOfflineRefusal(error)) return 'input_required';
  return error.code.toLowerCase();
}

/**
 * Runs one attempt: budget admission for this model at this tier, the provider call inside a
 * GenAI span (tier, cost, offline), settlement to the actual cost, and the attempt's ledger row.
 * Whatever a failed call had used (a cut-off stream, a reply failing its schema) is billed.
 */
export async function runAttempt(deps: AttemptDeps, spec: AttemptSpec): Promise<AttemptResult> {
  const { config, providers, gate, ledger, ctx, input, hooks } = deps;
  const { candidate, tier } = spec;
  const offline = candidate.provider === 'offline';
  const price = offline ? undefined : config.prices[candidate.model];
  const shadowPrice = offline && candidate.shadowOf ? config.prices[candidate.shadowOf] : undefined;
  const promptEstimate = estimatePromptTokens(input);
  const plan = await deps.cache?.plan({ config, skill: ctx.skill, candidate, price, input });
  const cacheRequest = plan?.request;
  const row = {
    tier,
    candidate,
    escalated: spec.escalated,
    fellBack: spec.fellBack,
    reason: spec.reason,
  };

  if (hooks.signal?.aborted) {
    // The caller is gone: nothing is sent, so nothing is reserved, billed or written.
    const error = new ForgeError('CANCELED', `${candidate.model}: not called, the call was canceled`, {
      retryable: false,
    });
    return { kind: 'failed', error, sentText: false, providerMs: 0 };
  }
  const admission = await gate.admit(
    config,
    { agent: ctx.agent, tier, principal: ctx.principal ?? undefined },
    price,
    {
      promptTokensEstimate: promptEstimate,
      maxTokens: input.maxTokens,
      // A prefix asked to be cached may be written whole, at the write price.
      ...(plan && cacheRequest ? { cacheWrite: { tokens: plan.prefixTokens, ttl: cacheRequest.ttl } } : {}),
      // The hold must outlive the call (and its settlement's write-behind), else it stops
      // counting while the call still runs and another call is admitted into its money.
      holdMs: Math.max(config.gateway.reservationTtlMs, spec.deadline - Date.now() + SETTLE_MARGIN_MS),
    },
  );
  if (!admission.admitted) {
    ledger.record({
      ...row,
      usage: zeroUsage(),
      rawUsage: null,
      usageEstimated: false,
      costMicros: 0,
      shadowCostMicros: 0,
      latencyMs: 0,
      outcome: 'refused',
      reason: [spec.reason, admission.reason].filter(Boolean).join('; '),
    });
    return { kind: 'refused', reason: admission.reason, providerMs: 0 };
  }

  if (hooks.signal?.aborted) {
    // The caller left while admission ran: nothing was sent, so the hold goes back unbilled.
    gate.settle(admission, 0);
    const error = new ForgeError('CANCELED', `${candidate.model}: not called, the call was canceled`, {
      retryable: false,
    });
    return { kind: 'failed', error, sentText: false, providerMs: 0 };
  }
  const { provider, vendorModel } = providers.resolve(candidate);
  const stream = hooks.onDelta !== undefined && input.output === undefined;
  const remaining = Math.max(1, spec.deadline - Date.now());
  const request: ProviderRequest = {
    model: vendorModel,
    messages: input.messages,
    maxTokens: input.maxTokens,
    purpose: input.purpose,
    ...(input.system === undefined ? {} : { system: input.system }),
    ...(input.stable === undefined ? {} : { stable: input.stable }),
    ...(cacheRequest === undefined ? {} : { cache: cacheRequest }),
    ...(input.temperature === undefined ? {} : { temperature: input.temperature }),
    ...(input.output === undefined ? {} : { output: input.output }),
  };
  // A stream is bounded by `firstTokenMs` before each event only, so one that keeps talking is
  // cut at the call's deadline here (and billed for what came). A non-streamed attempt needs no
  // signal of its own: the caller's (made per call) goes to the provider as it is.
  const deadline = stream ? new DeadlineSignal(hooks.signal, remaining) : undefined;
  // Which bound the call's deadline is: the caller's (it waits less than the gateway's limit) or
  // the gateway's own `totalMs`.
  const cutBy =
    hooks.callerDeadline === true && hooks.deadline !== undefined && hooks.deadline <= spec.deadline
      ? `the caller's deadline (${remaining} ms after this attempt began)`
      : `the call's ${config.gateway.timeouts.totalMs} ms limit`;
  const callOptions = {
    // A non-streamed reply is its own first token, so `firstTokenMs` bounds the whole attempt and
    // leaves the rest of `totalMs` for a fallback; a stream is bounded by it before each event.
    timeoutMs: Math.min(config.gateway.timeouts.firstTokenMs, remaining),
    ...(deadline ? { signal: deadline.signal } : hooks.signal ? { signal: hooks.signal } : {}),
  };

  return withModelCallSpan(
    {
      provider: candidate.provider,
      model: vendorModel,
      maxTokens: input.maxTokens,
      tier,
      offline,
      stream,
      taskId: ctx.taskId,
      attempt: ctx.attempt,
      callId: ctx.callId,
      ...(ctx.skill ? { skill: ctx.skill } : {}),
      ...(input.temperature === undefined ? {} : { temperature: input.temperature }),
    },
    async (span) => {
      if (plan) {
        span.span.setAttribute('forge.prompt_cache.prefix_tokens', plan.prefixTokens);
        span.span.setAttribute('forge.prompt_cache.decision', plan.decision);
      }
      const started = performance.now();
      let result: ProviderResult | undefined;
      let failure: ForgeError | undefined;
      let sentText = false;
      try {
        if (stream) {
          for await (const event of provider.stream(request, callOptions)) {
            if (event.type === 'text') {
              sentText = true;
              hooks.onDelta?.(event.text);
              continue;
            }
            result = event.result;
            if (event.error) failure = event.error;
            else if (event.result.finishReason === 'aborted') {
              failure = deadline?.passed
                ? new ForgeError('DEADLINE_EXCEEDED', `${candidate.model}: stream cut at ${cutBy}`, {
                    retryable: true,
                  })
                : new ForgeError('CANCELED', `${candidate.model}: stream aborted by the caller`, {
                    retryable: false,
                  });
            }
          }
        } else {
          result = await provider.complete(request, callOptions);
        }
      } catch (error) {
        failure = ForgeError.from(error, 'PROVIDER_ERROR');
      } finally {
        deadline?.dispose();
      }
      const providerMs = performance.now() - started;
      if (failure) providers.redact(failure);

      // What gets billed: the result's usage, or what the failed call reported having used; a
      // canceled non-streamed call is billed its prompt, which the vendor had already taken in.
      let usage: ModelUsage = result?.usage ?? zeroUsage();
      let usageEstimated = result?.usageEstimated ?? false;
      if (!result && failure) {
        if (isProviderError(failure) && failure.usage) usage = failure.usage;
        else if (failure.code === 'CANCELED' && !offline) {
          usage = { ...zeroUsage(), inputTokens: promptEstimate };
          usageEstimated = true;
        }
      }
      const cost = price ? costMicros(usage, price) : 0;
      const shadow = shadowPrice ? costMicros(usage, shadowPrice) : 0;
      gate.settle(admission, cost);
      span.record({
        usage,
        costMicros: cost,
        shadowCostMicros: shadow,
        ...(result ? { responseModel: result.model, finishReason: result.finishReason } : {}),
      });
      if (failure) {
        span.span.setAttribute('error.type', outcomeOf(failure));
        span.span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message });
      }
      ledger.record({
        ...row,
        usage,
        rawUsage: result?.rawUsage ?? null,
        usageEstimated,
        costMicros: cost,
        shadowCostMicros: shadow,
        latencyMs: providerMs,
        outcome: failure ? outcomeOf(failure) : 'ok',
        reason: failure ? [spec.reason, failure.message].filter(Boolean).join('; ') : spec.reason,
      });
      if (failure) return { kind: 'failed', error: failure, sentText, providerMs };
      if (plan) deps.cache?.observe(plan, ctx.skill);
      return { kind: 'ok', result: result!, providerMs };
    },
  );
}
