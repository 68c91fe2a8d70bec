import type { Tier } from '@forge/contracts';
import type { ProviderResult } from '@forge/models';
import { type ModelCandidate, type ModelTier, nextEscalation, tierCandidates } from '@forge/policy';
import type { Logger } from '@forge/telemetry';
import type { BudgetGate } from '../budgets/budget-gate.js';
import { CallLedger } from '../ledger/call-ledger.js';
import type { LedgerWriter } from '../ledger/ledger-writer.js';
import type { RoutingConfigSource } from '../routing/routing-config-source.js';
import type { CachePlanner } from './cache-planner.js';
import type { CallContext, CallHooks, CallInput, CallOutcome } from './call-context.js';
import type { CircuitBreakers } from './circuit-breaker.js';
import { confidenceOf } from './confidence.js';
import type { GatewayStats } from './gateway-stats.js';
import { asModelTier, runTier } from './tier-runner.js';

export interface ModelGatewayDeps {
  brain: string;
  source: RoutingConfigSource;
  gate: BudgetGate;
  writer: LedgerWriter;
  breakers: CircuitBreakers;
  stats: GatewayStats;
  logger: Logger;
  /** Plans prompt caching per attempt; without it nothing is marked for the cache. */
  cache?: CachePlanner;
}

interface Answer {
  result: ProviderResult;
  candidate: ModelCandidate;
  tier: ModelTier;
}

/**
 * The model gateway's core, shared by the NATS model-call service and the OpenAI-compatible
 * endpoint. A call starts on its stamped tier (see `runTier` for fallback, retries, breakers and
 * budget admission per attempt) and may escalate one tier at a time, never past the skill's
 * `maxTier`: when a structured reply's `confidence` is below the skill's threshold (the answer is
 * kept as the best so far), or when replies keep failing the output schema. An escalation that
 * budget admission refuses ends the call with the best answer and a note, or BUDGET_EXHAUSTED when
 * there is none. Every attempt is a ledger row; every escalation and fallback is a note with its
 * reason. The whole call is bounded by `gateway.timeouts.totalMs` and by the caller's deadline.
 */
export class ModelGateway {
  readonly #deps: ModelGatewayDeps;
  readonly #active = new Set<Promise<CallOutcome>>();

  constructor(deps: ModelGatewayDeps) {
    this.#deps = deps;
  }

  /** The prompt cache planner, when the gateway has one (deferred calls plan their batch requests with it). */
  get cache(): CachePlanner | undefined {
    return this.#deps.cache;
  }

  /** Calls in progress, from any transport. */
  get active(): number {
    return this.#active.size;
  }

  /** Resolves when every call in progress has ended (their ledger rows queued), or after `timeoutMs`. */
  async idle(timeoutMs: number): Promise<void> {
    if (this.#active.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.#active]),
      new Promise((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  /**
   * `startedAt` (performance.now()) marks when the gateway's own work began (after admission), for
   * its overhead stats; `hooks.deadline` bounds the whole call by its caller's deadline.
   */
  call(
    ctx: CallContext,
    input: CallInput,
    hooks: CallHooks = {},
    startedAt = performance.now(),
  ): Promise<CallOutcome> {
    const running = this.#call(ctx, input, hooks, startedAt);
    this.#active.add(running);
    running.then(
      () => this.#active.delete(running),
      () => this.#active.delete(running),
    );
    return running;
  }

  async #call(ctx: CallContext, input: CallInput, hooks: CallHooks, startedAt: number): Promise<CallOutcome> {
    const { config, providers } = this.#deps.source.current;
    const { breakers, gate, writer, brain } = this.#deps;
    breakers.configure(config.gateway.breaker);
    const notes: string[] = [];
    const ledger = new CallLedger(ctx, brain, writer);
    const deadline = Math.min(
      Date.now() + config.gateway.timeouts.totalMs,
      hooks.deadline ?? Number.POSITIVE_INFINITY,
    );
    let providerMs = 0;
    const done = (outcome: CallOutcome): CallOutcome => {
      this.#deps.stats.add(performance.now() - startedAt - providerMs);
      if (notes.length > 0) {
        this.#deps.logger.info(
          { taskId: ctx.taskId, callId: ctx.callId, notes, ok: outcome.ok },
          'model call notes',
        );
      }
      return outcome;
    };
    const success = (answer: Answer): CallOutcome => ({
      ok: true,
      text: answer.result.text,
      ...(answer.result.output === undefined ? {} : { output: answer.result.output }),
      tier: answer.tier,
      model: answer.candidate.model,
      offline: answer.candidate.provider === 'offline',
      usage: { ...ledger.usage },
      costMicros: ledger.costMicros,
      shadowCostMicros: ledger.shadowCostMicros,
      finishReason: answer.result.finishReason,
      notes,
    });
    const failure = (
      code: string,
      message: string,
      retryable: boolean,
      inputRequired?: string,
    ): CallOutcome => ({
      ok: false,
      code,
      message,
      retryable,
      ...(inputRequired === undefined ? {} : { inputRequired }),
      notes,
    });

    const start = asModelTier(ctx.tier);
    if (start === null) {
      return done(
        failure(
          'BAD_INPUT',
          `${ctx.skill ?? 'this call'} is routed to the tool tier: it runs no model`,
          false,
        ),
      );
    }
    const deps = { config, providers, gate, ledger, ctx, input, hooks, breakers, cache: this.#deps.cache };
    let tier: ModelTier = start;
    let escalated = false;
    let reason: string | null = null;
    let best: Answer | undefined;
    const escalate = (from: ModelTier, why: string): ModelTier | null => {
      const next = nextEscalation({
        currentTier: from,
        maxTier: ctx.maxTier,
        critical: ctx.critical,
      }) as Tier | null;
      if (next === null || next === 'tool') {
        notes.push(`${why}; no escalation above ${from} (max tier ${ctx.maxTier})`);
        return null;
      }
      notes.push(`escalating ${from} → ${next}: ${why}`);
      reason = `escalated from ${from}: ${why}`;
      escalated = true;
      return next;
    };

    const hasRealModelAbove = (from: ModelTier): boolean => {
      const next = nextEscalation({ currentTier: from, maxTier: ctx.maxTier, critical: ctx.critical });
      if (next === null || next === 'tool') return false;
      return tierCandidates(config, next as ModelTier, (model, provider) =>
        providers.isAvailable(model, provider),
      ).some((candidate) => candidate.provider !== 'offline');
    };

    for (;;) {
      const r = await runTier(deps, {
        tier,
        escalated,
        reason,
        deadline,
        notes,
        onProviderMs: (ms) => {
          providerMs += ms;
        },
      });
      switch (r.kind) {
        case 'ok': {
          const answer: Answer = { result: r.result, candidate: r.candidate, tier };
          const confidence = input.output === undefined ? undefined : confidenceOf(r.result.output);
          const threshold = ctx.escalation.confidenceBelow;
          if (confidence === undefined || confidence >= threshold) return done(success(answer));
          best = answer;
          if (r.candidate.provider === 'offline' && !hasRealModelAbove(tier)) {
            // The offline scorer is the same at every tier: asking it again one tier up would
            // only add a shadow-cost row and a misleading tier label.
            notes.push(`confidence ${confidence} is below ${threshold}; no real model above ${tier} to ask`);
            return done(success(answer));
          }
          const next: ModelTier | null = escalate(tier, `confidence ${confidence} is below ${threshold}`);
          if (next === null) return done(success(answer));
          tier = next;
          continue;
        }
        case 'schema-failed': {
          const next: ModelTier | null = ctx.escalation.onSchemaFailure
            ? escalate(tier, r.error.message)
            : null;
          if (next !== null) {
            tier = next;
            continue;
          }
          if (best) return done(success(best));
          return done(
            failure('PROVIDER_ERROR', `no reply satisfied the output schema: ${r.error.message}`, false),
          );
        }
        case 'refused': {
          if (escalated) {
            notes.push(`escalation to ${tier} refused: ${r.reason}`);
            if (best) return done(success(best));
          }
          return done(failure('BUDGET_EXHAUSTED', r.reason, false));
        }
        case 'input-required':
          return done(failure('UNAVAILABLE', r.reason, false, r.reason));
        case 'failed': {
          if (best) {
            notes.push(
              `escalation to ${tier} failed: ${r.error.message}; answering with the ${best.tier} reply`,
            );
            return done(success(best));
          }
          return done(failure(r.error.code, r.error.message, r.error.retryable));
        }
      }
    }
  }
}
