import { ForgeError, type Tier } from '@forge/contracts';
import { isOfflineRefusal, isProviderError, OFFLINE_JUDGE_REASON, type ProviderResult } from '@forge/models';
import { type ModelCandidate, type ModelTier, tierCandidates } from '@forge/policy';
import type { CircuitBreakers } from './circuit-breaker.js';
import { type AttemptDeps, runAttempt } from './model-attempt.js';

/** How a tier's attempts ended. */
export type TierResult =
  | { kind: 'ok'; result: ProviderResult; candidate: ModelCandidate }
  /** Every reply failed the output schema, retries included: escalation may help. */
  | { kind: 'schema-failed'; error: ForgeError }
  | { kind: 'refused'; reason: string }
  | { kind: 'input-required'; reason: string }
  | { kind: 'failed'; error: ForgeError };

export interface TierRun {
  tier: ModelTier;
  escalated: boolean;
  /** Why the tier's first attempt happens (an escalation), for its ledger row. */
  reason: string | null;
  deadline: number;
  notes: string[];
  /**
   * Adds each attempt's time inside the provider, and each wait for a retry (the gateway's own
   * overhead is the rest).
   */
  onProviderMs(ms: number): void;
}

/** Why an offline answer cannot stand for a critical skill. */
export const OFFLINE_CRITICAL_REASON =
  'this skill is critical (it must never run below frontier) and Forge is running offline with no model keys: a person must decide';

const FALLBACK_KINDS = new Set(['rate_limited', 'server', 'timeout', 'connection', 'bad_response']);

function backoffMs(round: number, base: number, max: number): number {
  return Math.min(max, base * 2 ** (round - 1));
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Runs a call on one tier: its models in config order (those whose provider has no key are
 * skipped; with none left, the offline stand-in). On 429, 5xx, a timeout or a broken connection
 * before any text was passed on, it falls back to the next model at once; after a round over all
 * of them it retries, up to `maxRetries` rounds, waiting the exponential backoff or a model's
 * `retry-after` (a retry-after beyond `maxRetryAfterMs` drops that model for this call). An open
 * circuit breaker skips its model. A reply failing the output schema is retried on the same
 * model `schemaRetries` times, then reported for escalation. Offline never judges: a critical
 * skill or a `judge` call that only offline could answer ends with input-required.
 */
export async function runTier(
  deps: AttemptDeps & { breakers: CircuitBreakers },
  run: TierRun,
): Promise<TierResult> {
  const { config, providers, ctx, input, hooks, breakers } = deps;
  const { retries } = config.gateway;
  const candidates = tierCandidates(config, run.tier, (model, provider) =>
    providers.isAvailable(model, provider),
  );
  const state = candidates.map(() => ({ notBefore: 0, dead: false }));
  let reason = run.reason;
  let fellBack = false;
  let lastError: ForgeError | undefined;
  let refused: string | undefined;

  for (let round = 0; round <= retries.maxRetries; round++) {
    if (round > 0) {
      const alive = state.filter((s) => !s.dead);
      if (alive.length === 0) break;
      const earliest = Math.min(...alive.map((s) => s.notBefore));
      const wait = Math.max(
        backoffMs(round, retries.backoffBaseMs, retries.backoffMaxMs),
        earliest - Date.now(),
      );
      if (Date.now() + wait >= run.deadline || hooks.signal?.aborted) break;
      run.notes.push(`retry round ${round} on ${run.tier} after ${wait} ms`);
      const slept = performance.now();
      await sleep(wait, hooks.signal);
      // Waiting out a backoff or a retry-after is the provider's time, not the gateway's work.
      run.onProviderMs(performance.now() - slept);
      if (hooks.signal?.aborted) break;
    }
    for (const [i, candidate] of candidates.entries()) {
      const s = state[i]!;
      if (s.dead || s.notBefore > Date.now()) continue;
      if (Date.now() >= run.deadline) {
        // Past the call's deadline no attempt could finish: another one would only be billed.
        run.notes.push(`no attempt on ${candidate.model}: the call's time is up`);
        return {
          kind: 'failed',
          error:
            lastError ??
            new ForgeError('DEADLINE_EXCEEDED', `the call's time ran out on tier ${run.tier}`, {
              retryable: true,
            }),
        };
      }
      if (candidate.provider === 'offline') {
        if (ctx.critical) return { kind: 'input-required', reason: OFFLINE_CRITICAL_REASON };
        if (input.purpose === 'judge') return { kind: 'input-required', reason: OFFLINE_JUDGE_REASON };
      }
      if (!breakers.tryAcquire(candidate.model)) {
        s.dead = true;
        fellBack = true;
        run.notes.push(`${candidate.model} skipped: circuit breaker open`);
        reason = `fallback: ${candidate.model} circuit breaker open`;
        continue;
      }
      for (let schemaTry = 0; ; schemaTry++) {
        let r: Awaited<ReturnType<typeof runAttempt>>;
        try {
          r = await runAttempt(deps, {
            tier: run.tier,
            candidate,
            escalated: run.escalated,
            fellBack,
            reason,
            deadline: run.deadline,
          });
        } catch (error) {
          // Admission or accounting failed (Postgres down): let the next caller probe this model.
          breakers.onAbandoned(candidate.model);
          throw error;
        }
        run.onProviderMs(r.providerMs);
        reason = null;
        if (r.kind === 'ok') {
          breakers.onSuccess(candidate.model);
          return { kind: 'ok', result: r.result, candidate };
        }
        if (r.kind === 'refused') {
          breakers.onAbandoned(candidate.model);
          s.dead = true;
          refused = r.reason;
          run.notes.push(`${candidate.model} not called: ${r.reason}`);
          fellBack = true;
          reason = `fallback: ${candidate.model} refused by budget`;
          break;
        }
        const error = r.error;
        if (isOfflineRefusal(error)) return { kind: 'input-required', reason: error.inputRequired };
        if (error.code === 'CANCELED') {
          breakers.onAbandoned(candidate.model);
          return { kind: 'failed', error };
        }
        const kind = isProviderError(error) ? error.kind : undefined;
        if (kind === 'bad_response' && input.output !== undefined) {
          // The model answered: the breaker has nothing against it.
          breakers.onSuccess(candidate.model);
          if (schemaTry < ctx.escalation.schemaRetries) {
            run.notes.push(`retry on ${candidate.model}: ${error.message}`);
            reason = 'retry: the previous reply failed the output schema';
            continue;
          }
          return { kind: 'schema-failed', error };
        }
        if (kind !== undefined && FALLBACK_KINDS.has(kind)) breakers.onFailure(candidate.model);
        else breakers.onAbandoned(candidate.model);
        if (r.sentText) return { kind: 'failed', error };
        lastError = error;
        fellBack = true;
        const retryAfter = isProviderError(error) ? error.retryAfterMs : undefined;
        if (kind === undefined || !FALLBACK_KINDS.has(kind)) {
          s.dead = true;
          run.notes.push(`${candidate.model} failed: ${error.message}`);
        } else if (retryAfter !== undefined && retryAfter > retries.maxRetryAfterMs) {
          s.dead = true;
          run.notes.push(
            `${candidate.model} ${kind}: retry-after ${retryAfter} ms is beyond ${retries.maxRetryAfterMs} ms`,
          );
        } else {
          s.notBefore = Date.now() + (retryAfter ?? 0);
          run.notes.push(`${candidate.model} ${kind}: falling back`);
        }
        reason = `fallback: ${candidate.model} ${kind ?? error.code}`;
        break;
      }
    }
  }
  if (lastError) return { kind: 'failed', error: lastError };
  if (refused !== undefined) return { kind: 'refused', reason: refused };
  return {
    kind: 'failed',
    error: new ForgeError(
      'UNAVAILABLE',
      `no model of tier ${run.tier} could be called: every circuit breaker is open`,
      {
        retryable: true,
      },
    ),
  };
}

/** The tier a call may run a model at; `tool` runs none. */
export function asModelTier(tier: Tier): ModelTier | null {
  return tier === 'tool' ? null : tier;
}
