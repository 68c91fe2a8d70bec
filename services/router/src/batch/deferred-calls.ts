import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { ModelCallReply } from '@forge/contracts';
import { estimatePromptTokens, type ProviderRequest } from '@forge/models';
import { discountsFor, type ModelCandidate, tierCandidates } from '@forge/policy';
import type { CallContext, CallInput } from '../gateway/call-context.js';
import { BatchRounds, type DeferredCallsDeps } from './batch-rounds.js';
import { callFingerprint } from './call-fingerprint.js';
import { replyOf } from './deferred-reply.js';

/** Both vendors keep a batch running for at most a day: its hold must last that long after submission. */
const VENDOR_WINDOW_MS = 86_400_000;

/**
 * The vendors' batch discount for deferrable skills. A call of a skill config marks
 * `deferrable`, from a caller that can wait, is stored in Postgres (budget reserved at the batch
 * price, on a hold of its own that outlives a restart) and answered `deferred`; the caller asks
 * again until the answer is there. Meanwhile `BatchRounds` gathers the stored calls into vendor
 * batches, polls them, bills what they answer at the batch price, and makes a normal call for any
 * call the batch failed, or that is still waiting when its time is up (the skill's `maxWait`,
 * or its task's deadline less `fallbackMarginMs`). Any replica can answer any caller, and a
 * restarted router carries on where the last one stopped.
 */
export class DeferredCalls {
  readonly #deps: DeferredCallsDeps;
  readonly #rounds: BatchRounds;

  constructor(deps: DeferredCallsDeps) {
    this.#deps = deps;
    const owner = `${deps.brain}:${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    this.#rounds = new BatchRounds({ ...deps, owner });
  }

  start(): void {
    this.#rounds.start();
  }

  /** Stops the rounds; normal calls still running after `graceMs` are aborted (another replica retries them). */
  stop(graceMs: number): Promise<void> {
    return this.#rounds.stop(graceMs);
  }

  /** One round of gathering, polling and due calls now (tests drive the rounds with it). */
  tick(): Promise<void> {
    return this.#rounds.tick();
  }

  /**
   * Answers a call of a deferrable skill: its stored state when it was asked before (the same
   * task, call number and question, from any attempt), else a new deferred call. Null when the
   * call is not deferred and the gateway makes it now: the skill is not deferrable, no batch
   * model of its tier is reachable, the budget refuses the batch reservation, or there is no
   * time to wait.
   */
  /**
   * Where a call already stored for a batch stands (its answer once there), or null when the
   * skill is not deferrable or no such call is stored: one read by the call's key, so a caller's
   * poll needs no admission slot and no routing.
   */
  async known(
    call: { taskId: string; callId: number; skill: string },
    input: CallInput,
  ): Promise<ModelCallReply | null> {
    const { config } = this.#deps.source.current;
    if (!discountsFor(config, call.skill).deferral) return null;
    const row = await this.#deps.repo.find({
      taskId: call.taskId,
      callId: call.callId,
      fingerprint: callFingerprint(input),
    });
    return row ? replyOf(row, config.gateway.batch.clientPollMs) : null;
  }

  async offer(ctx: CallContext, input: CallInput): Promise<ModelCallReply | null> {
    const { source, repo, gate, tasks } = this.#deps;
    const { config, providers } = source.current;
    const deferral =
      ctx.skill === null || ctx.source !== 'task' ? undefined : discountsFor(config, ctx.skill).deferral;
    if (!deferral || ctx.tier === 'tool') return null;
    const { batch } = config.gateway;
    const fingerprint = callFingerprint(input);
    const key = { taskId: ctx.taskId, callId: ctx.callId, fingerprint };
    const known = await repo.find(key);
    if (known) return replyOf(known, batch.clientPollMs);

    const candidate = tierCandidates(config, ctx.tier, (model, provider) =>
      providers.isAvailable(model, provider),
    ).find(
      (c) =>
        providers.batchApi(c.provider) !== undefined && config.prices[c.model]?.batchDiscount !== undefined,
    );
    if (!candidate) return null;
    const now = (await repo.now()).getTime();
    const task = await tasks.get(ctx.taskId);
    const deadline = task?.deadline
      ? Date.parse(task.deadline) - batch.fallbackMarginMs
      : Number.POSITIVE_INFINITY;
    const dueBy = Math.min(now + deferral.maxWaitMs, deadline);
    // Too little time to gather, submit and poll once: a batch could only be paid for and dropped.
    if (dueBy - now < batch.collectMs + batch.pollMs) return null;

    const { request, prefixTokens } = await this.#request(ctx, input, candidate);
    const price = config.prices[candidate.model];
    const admission = await gate.admit(
      config,
      { agent: ctx.agent, tier: ctx.tier, principal: ctx.principal ?? undefined },
      price,
      {
        promptTokensEstimate: estimatePromptTokens(input),
        maxTokens: input.maxTokens,
        holdMs: dueBy - now + VENDOR_WINDOW_MS,
        batch: true,
        durable: true,
        ...(request.cache ? { cacheWrite: { tokens: prefixTokens, ttl: request.cache.ttl } } : {}),
      },
    );
    if (!admission.admitted) return null;
    const stored = await repo.enqueue({
      ...key,
      attempt: ctx.attempt,
      customId: `f${randomBytes(16).toString('hex')}`,
      skill: ctx.skill!,
      provider: candidate.provider as 'anthropic' | 'openai',
      model: candidate.model,
      tier: ctx.tier,
      context: ctx,
      input,
      request,
      reservationId: admission.reservationId,
      reservedMicros: admission.amountMicros,
      dueBy: new Date(dueBy),
    });
    // Another replica stored the same call a moment before: its reservation stands, ours goes back.
    if (!stored.created) gate.settle(admission, 0);
    return replyOf(stored.request, batch.clientPollMs);
  }

  /** The request as the vendor's batch will get it: stable parts first, cache marks as planned. */
  async #request(
    ctx: CallContext,
    input: CallInput,
    candidate: ModelCandidate,
  ): Promise<{ request: ProviderRequest; prefixTokens: number }> {
    const { config, providers } = this.#deps.source.current;
    const plan = await this.#deps.gateway.cache?.plan({
      config,
      skill: ctx.skill,
      candidate,
      price: config.prices[candidate.model],
      input,
    });
    const request: ProviderRequest = {
      model: providers.resolve(candidate).vendorModel,
      messages: input.messages,
      maxTokens: input.maxTokens,
      purpose: input.purpose,
      ...(input.system === undefined ? {} : { system: input.system }),
      ...(input.stable === undefined ? {} : { stable: input.stable }),
      ...(input.temperature === undefined ? {} : { temperature: input.temperature }),
      ...(input.output === undefined ? {} : { output: input.output }),
      ...(plan?.request ? { cache: plan.request } : {}),
    };
    return { request, prefixTokens: plan?.prefixTokens ?? 0 };
  }
}
