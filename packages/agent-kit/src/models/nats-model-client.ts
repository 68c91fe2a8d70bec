import type { Bus } from '@forge/bus';
import {
  ERROR_CODES,
  type ErrorCode,
  ForgeError,
  ModelCallReply,
  ModelCallRequest,
  type ModelCallSuccess,
} from '@forge/contracts';
import { untilAborted } from '@forge/service-runtime';
import { InputRequiredSignal } from '../skills/input-required.js';
import type { ModelCallInput, ModelCallScope, ModelClient } from './model-client.js';

/** How long a model call may take end to end (the gateway's retries and fallbacks included). */
export const DEFAULT_MODEL_CALL_TIMEOUT_MS = 120_000;

function isErrorCode(code: string): code is ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(code);
}

/**
 * The production ModelClient: a `ModelCallRequest` to the router's model gateway on
 * `forge.<brain>.model.call`, answered with a `ModelCallReply`. A failure reply becomes a
 * ForgeError with the gateway's code (PROVIDER_ERROR when the code is not Forge's) and
 * `retryable`; `inputRequired` becomes the kit's input-required signal. Abort via `signal`
 * stops waiting (the gateway may still finish the call; its ledger row stands).
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

  async call(request: ModelCallInput, opts: { signal?: AbortSignal } = {}): Promise<ModelCallSuccess> {
    opts.signal?.throwIfAborted();
    const callId = this.#nextCallId++;
    const payload = {
      ...request,
      v: 1 as const,
      taskId: this.#scope.taskId,
      attempt: this.#scope.attempt,
      callId,
      skill: this.#scope.skill,
    };
    const pending = this.#bus.request(
      this.#bus.subjects.modelCall,
      ModelCallRequest,
      payload,
      ModelCallReply,
      {
        timeoutMs: this.#timeoutMs,
      },
    );
    const reply = await (opts.signal ? untilAborted(pending, opts.signal) : pending);
    if (reply.ok) return reply;
    if (reply.inputRequired) throw new InputRequiredSignal(reply.inputRequired);
    const code = isErrorCode(reply.error.code) ? reply.error.code : 'PROVIDER_ERROR';
    throw new ForgeError(code, reply.error.message, {
      retryable: reply.error.retryable,
      details: { gatewayCode: reply.error.code, callId },
    });
  }
}
