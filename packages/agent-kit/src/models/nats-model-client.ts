import type { Bus } from '@forge/bus';
import {
  ERROR_CODES,
  type ErrorCode,
  ForgeError,
  isForgeError,
  ModelCallReply,
  ModelCallRequest,
  type ModelCallSuccess,
} from '@forge/contracts';
import { untilAborted } from '@forge/service-runtime';
import { InputRequiredSignal } from '../skills/input-required.js';
import type { ModelCallInput, ModelCallOptions, ModelCallScope, ModelClient } from './model-client.js';

/** How long a model call may take end to end (the gateway's retries and fallbacks included). */
export const DEFAULT_MODEL_CALL_TIMEOUT_MS = 120_000;

/** First pause after an OVERLOADED answer; it doubles per retry up to {@link OVERLOAD_BACKOFF_MAX_MS}. */
const OVERLOAD_BACKOFF_MS = 250;
const OVERLOAD_BACKOFF_MAX_MS = 5_000;

/** The pause before retry `n` (0-based) of an overloaded call: exponential, half of it jittered. */
export function overloadBackoffMs(n: number, random: () => number = Math.random): number {
  const ceiling = Math.min(OVERLOAD_BACKOFF_MAX_MS, OVERLOAD_BACKOFF_MS * 2 ** n);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * The gateway's budget for an ask that waits `waitMs` for its reply: that much less a margin
 * (2 %, at least 100 ms) for the reply's way back, so a call that ends just inside the gateway's
 * deadline is answered before this client stops waiting (not run and billed for nobody).
 */
export function gatewayBudgetMs(waitMs: number): number {
  return Math.max(1, waitMs - Math.max(100, Math.ceil(waitMs * 0.02)));
}

function isErrorCode(code: string): code is ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(code);
}

/** Waits `ms`, or rejects with the signal's reason when it aborts first. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The production ModelClient: a `ModelCallRequest` to the router's model gateway on
 * `forge.<brain>.model.call`, answered with a `ModelCallReply`. A failure reply becomes a
 * ForgeError with the gateway's code (PROVIDER_ERROR when the code is not Forge's) and
 * `retryable`; `inputRequired` becomes the kit's input-required signal. Abort via `signal`
 * stops waiting (the gateway may still finish the call; its ledger row stands).
 *
 * Calls say they can wait (`deferrable`, unless the request says otherwise or streams): when the
 * gateway answers `deferred` (the skill is deferrable in config and the call went to a vendor
 * batch), the client tells `onWaiting`, asks again with the same request after `pollAfterMs`,
 * and keeps asking through a router restart (a failed ask is retried) until the answer comes or
 * the call's due time plus the call timeout has passed.
 *
 * Every ask waits for its reply at most the whole call timeout (the first ask) or what is left of
 * it since the first ask (a retry), so a call never takes more than the call timeout; it carries
 * `timeoutMs`, the gateway's budget (a duration, so the hosts' clocks need not agree): that wait
 * less a margin for the reply's way back (2 %, at least 100 ms), so the gateway never starts (or
 * runs on with) work nobody waits for. A gateway that answers with an OVERLOADED reply (its
 * admission queue was full, the call could not start in time, or the router replica was stopping
 * (`reason` stopping): nothing was run or billed) is asked again, the same call (so another
 * replica takes it), after an exponential backoff with
 * jitter (250 ms doubling to 5 s), for as long as the call timeout since the first ask allows;
 * then the OVERLOADED error (retryable) is thrown, and the task's delivery is retried. A call
 * waiting in a batch is asked again through OVERLOADED replies until its answer is overdue. An OVERLOADED *error* (overload met
 * inside the call, which may have run in part) is thrown at once, never asked again under the
 * same call number.
 */
export class NatsModelClient implements ModelClient {
  readonly #bus: Pick<Bus, 'request' | 'subjects'>;
  readonly #scope: ModelCallScope;
  readonly #timeoutMs: number;
  #nextCallId = 0;

  constructor(
    bus: Pick<Bus, 'request' | 'subjects'>,
    scope: ModelCallScope,
    opts: { timeoutMs?: number } = {},
  ) {
    this.#bus = bus;
    this.#scope = scope;
    this.#timeoutMs = opts.timeoutMs ?? DEFAULT_MODEL_CALL_TIMEOUT_MS;
  }

  async call(request: ModelCallInput, opts: ModelCallOptions = {}): Promise<ModelCallSuccess> {
    opts.signal?.throwIfAborted();
    const callId = this.#nextCallId++;
    const payload = {
      ...request,
      deferrable: request.deferrable ?? request.streamTo === undefined,
      v: 1 as const,
      taskId: this.#scope.taskId,
      attempt: this.#scope.attempt,
      callId,
      skill: this.#scope.skill,
    };
    let told: string | undefined;
    let waitUntil: number | undefined;
    const giveUpAt = Date.now() + this.#timeoutMs;
    let overloaded = 0;
    /** True (after its pause) when an overloaded call may be asked again. */
    const retryOverload = async (): Promise<boolean> => {
      const pauseMs = overloadBackoffMs(overloaded);
      if (Date.now() + pauseMs >= giveUpAt) return false;
      overloaded += 1;
      await pause(pauseMs, opts.signal);
      return true;
    };
    for (;;) {
      // No ask outlives the time this client waits: the first ask gets the whole call timeout, a
      // retry only what is left of it (a call waiting in a batch: until its answer is overdue).
      const until = waitUntil === undefined ? giveUpAt : Math.min(Date.now() + this.#timeoutMs, waitUntil);
      let reply: ModelCallReply;
      try {
        reply = await this.#ask(payload, Math.max(1, until - Date.now()), opts.signal);
      } catch (error) {
        // While a call waits in a batch its state is in Postgres: an ask that fails (a router
        // restarting) is asked again, until the time the answer is due is well past.
        if (waitUntil === undefined || Date.now() > waitUntil || !isForgeError(error) || !error.retryable)
          throw error;
        await pause(Math.min(5_000, this.#timeoutMs), opts.signal);
        continue;
      }
      if (reply.ok) return reply;
      if (reply.deferred) {
        waitUntil = Date.parse(reply.deferred.dueBy) + this.#timeoutMs;
        const line = `${reply.deferred.state}: ${reply.error.message}`;
        if (line !== told) {
          told = line;
          opts.onWaiting?.(reply.error.message);
        }
        await pause(reply.deferred.pollAfterMs, opts.signal);
        continue;
      }
      if (reply.inputRequired) throw new InputRequiredSignal(reply.inputRequired);
      if (reply.error.code === 'OVERLOADED') {
        // A call waiting in a batch (paid for) is asked again until its answer is overdue, like a
        // failed ask: an overloaded router is no reason to drop it.
        if (waitUntil !== undefined && Date.now() < waitUntil) {
          await pause(Math.min(overloadBackoffMs(overloaded++), waitUntil - Date.now()), opts.signal);
          continue;
        }
        if (await retryOverload()) continue;
      }
      const code = isErrorCode(reply.error.code) ? reply.error.code : 'PROVIDER_ERROR';
      throw new ForgeError(code, reply.error.message, {
        retryable: reply.error.retryable,
        details: { gatewayCode: reply.error.code, callId },
      });
    }
  }

  /**
   * One ask that waits `timeoutMs` for its reply and gives the gateway that less a margin (a
   * duration: no clock skew; see {@link gatewayBudgetMs}).
   */
  #ask(
    payload: ModelCallRequest,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<ModelCallReply> {
    const pending = this.#bus.request(
      this.#bus.subjects.modelCall,
      ModelCallRequest,
      { ...payload, timeoutMs: gatewayBudgetMs(timeoutMs) },
      ModelCallReply,
      { timeoutMs },
    );
    return signal ? untilAborted(pending, signal) : pending;
  }
}
