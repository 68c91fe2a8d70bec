import { setMaxListeners } from 'node:events';
import type { Bus } from '@forge/bus';
import {
  ForgeError,
  isForgeError,
  MODEL_CALL_VERSION,
  type ModelCallReply,
  ModelCallRequest,
  ModelStreamChunk,
  TASK_ENVELOPE_VERSION,
  type TaskEnvelope,
} from '@forge/contracts';
import { escalationPolicyFor } from '@forge/policy';
import {
  type RoutingDecisionRecord,
  type TaskRecord,
  type TaskRepository,
  withQueryDeadline,
} from '@forge/store';
import type { Logger } from '@forge/telemetry';
import { z } from 'zod';
import type { DeferredCalls } from '../batch/deferred-calls.js';
import type { CallAdmission, CallPermit } from '../budgets/call-admission.js';
import { principalOf } from '../routing/route-decider.js';
import type { RoutingConfigSource } from '../routing/routing-config-source.js';
import type { TaskRouter } from '../routing/task-router.js';
import type { TaskRoutingCache } from '../routing/task-routing-cache.js';
import type { CallContext, CallInput } from './call-context.js';
import { toReply } from './call-reply.js';
import type { ModelGateway } from './model-gateway.js';

export interface ModelCallServiceDeps {
  bus: Bus;
  gateway: ModelGateway;
  source: RoutingConfigSource;
  routing: TaskRoutingCache;
  router: TaskRouter;
  tasks: TaskRepository;
  logger: Logger;
  /** How long a finished reply is kept to answer a repeated request (same task, attempt, call). */
  replayMs?: number;
  /** Deferrable skills' calls through the vendors' batch APIs; without it every call is made now. */
  deferred?: DeferredCalls;
  /**
   * The router's in-flight limit and queue, shared with the HTTP endpoint; a call waits for a
   * slot until its request's `deadline` (or the gateway's call timeout). Without it: no limit.
   */
  admission?: CallAdmission;
}

const REPLAY_MAX = 2_000;

function envelopeOf(record: TaskRecord): TaskEnvelope {
  return {
    v: TASK_ENVELOPE_VERSION,
    id: record.id,
    skill: record.skill,
    input: record.input,
    origin: record.origin,
    idempotencyKey: record.idempotencyKey,
    contextId: record.contextId,
    ...(record.parentId ? { parentId: record.parentId } : {}),
    ...(record.deadline ? { deadline: record.deadline } : {}),
    createdAt: record.createdAt,
  };
}

/**
 * The router's own replies, typed where they are built (`toReply`) and checked by every caller
 * on arrival (agent-kit's NatsModelClient reads them with `ModelCallReply`): parsing them again
 * before they leave would be a zod pass per call over a shape this process made.
 */
const OwnReply = z.custom<ModelCallReply>();

function inputOf(req: ModelCallRequest): CallInput {
  return {
    purpose: req.purpose,
    system: req.system,
    stable: req.stable,
    messages: req.messages,
    maxTokens: req.maxTokens,
    temperature: req.temperature,
    output: req.output,
  };
}

function failure(code: string, message: string, retryable = false): ModelCallReply {
  return { v: MODEL_CALL_VERSION, ok: false, error: { code, message, retryable } };
}

/**
 * The model gateway on NATS: `forge.<brain>.model.call` request/reply in queue group `router`, so
 * router replicas share the calls. A call names its task; the gateway runs it on the task's
 * recorded routing (a task that reached its agent without the router, as only a test's direct dispatch does,
 * is routed here on its first call). A repeated request for the same (task, attempt, call), a
 * client retrying after a timeout, joins the call in flight or gets its reply again, so the model
 * is not called and billed twice. With `streamTo` and no output schema, text deltas are published
 * there as `ModelStreamChunk`s before the reply.
 */
export class ModelCallService {
  readonly #deps: ModelCallServiceDeps;
  readonly #inFlight = new Map<string, Promise<ModelCallReply>>();
  readonly #replies = new Map<string, { reply: ModelCallReply; at: number }>();
  /** Aborts the calls still running when the stop grace runs out. */
  readonly #shutdown = new AbortController();
  #served: { unsubscribe(): Promise<void>; stop(): Promise<void> } | undefined;

  constructor(deps: ModelCallServiceDeps) {
    this.#deps = deps;
    // One listener per call in flight (removed when the call ends), so hundreds at a time are normal.
    setMaxListeners(0, this.#shutdown.signal);
  }

  start(): void {
    const { bus } = this.#deps;
    this.#served ??= bus.serve(
      bus.subjects.modelCall,
      ModelCallRequest,
      OwnReply,
      (req) => this.handle(req),
      {
        queue: 'router',
      },
    );
  }

  /**
   * Stops taking calls: resolves once NATS sends no more requests here (they go to the other
   * router replicas). The calls already here go on; `stop` waits for them.
   */
  async stopTaking(): Promise<void> {
    await this.#served?.unsubscribe();
  }

  /**
   * Stops taking calls and waits up to `graceMs` for the ones in progress; then aborts them (each
   * is billed for what it used and answered CANCELED) and waits for their replies.
   */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.#served) return;
    const stopping = this.#served.stop();
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), graceMs);
    });
    const first = await Promise.race([stopping.then(() => 'done' as const), graceOver]);
    clearTimeout(timer);
    if (first === 'timeout') {
      this.#deps.logger.warn(
        { inFlight: this.#inFlight.size },
        'aborting model calls still running at shutdown',
      );
      this.#shutdown.abort();
      await stopping;
    }
  }

  /** Answers one request (exposed for tests that drive the gateway without NATS). */
  handle(req: ModelCallRequest): Promise<ModelCallReply> {
    const arrived = Date.now();
    const key = `${req.taskId}:${req.attempt}:${req.callId}`;
    const joined = this.#inFlight.get(key);
    if (joined) return joined;
    const replay = this.#replies.get(key);
    if (replay && Date.now() - replay.at < (this.#deps.replayMs ?? 600_000))
      return Promise.resolve(replay.reply);
    const running = this.#admitted(req, arrived)
      .then((reply) => {
        // A deferred call's state changes: every ask reads it afresh. An overloaded (or refused at
        // shutdown) one was never started: the caller's retry must find a slot, not this answer.
        if (reply.ok || (reply.deferred === undefined && reply.error.code !== 'OVERLOADED'))
          this.#remember(key, reply);
        return reply;
      })
      .finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, running);
    return running;
  }

  #remember(key: string, reply: ModelCallReply): void {
    this.#replies.set(key, { reply, at: Date.now() });
    if (this.#replies.size > REPLAY_MAX) {
      const oldest = this.#replies.keys().next().value;
      if (oldest !== undefined) this.#replies.delete(oldest);
    }
  }

  /**
   * The request intake: a slot from the admission (waiting at most until the call's deadline),
   * then the call. A call the admission refuses was never started: it is answered with a retryable
   * OVERLOADED reply naming the reason (never remembered), and the caller asks again, the same
   * call, after a backoff. Overload met inside the call (a database pool that stayed full) is an
   * OVERLOADED error reply instead: part of the call may have run and been billed, so the caller
   * must not repeat it under the same key; its attempt fails and is retried as a whole.
   */
  async #admitted(req: ModelCallRequest, arrived: number): Promise<ModelCallReply> {
    const { admission } = this.#deps;
    const deadline = this.#deadlineOf(req, arrived);
    // A poll for a call already waiting in a batch is one read by its key: it takes no slot, so an
    // overloaded router still tells a caller its (paid for) batch call stands.
    let known: ModelCallReply | null;
    try {
      known = await this.#knownDeferred(req, deadline);
    } catch (error) {
      // The read found the pool busy until the deadline: nothing was started, ask again later.
      if (isForgeError(error, 'OVERLOADED')) return failure('OVERLOADED', error.message, true);
      throw error;
    }
    if (known) return known;
    if (!admission) return this.#run(req, deadline, performance.now());
    let permit: CallPermit;
    try {
      permit = await admission.acquire(deadline, 'nats', this.#shutdown.signal);
    } catch (error) {
      // Refused (the router stopping included: `details.reason` 'stopping'): never started, so the
      // caller asks again, the same call, and another replica takes it.
      if (isForgeError(error, 'OVERLOADED')) return failure(error.code, error.message, true);
      // Still queued when the stop grace ran out: never started either.
      if (isForgeError(error, 'CANCELED') && this.#shutdown.signal.aborted)
        return failure('OVERLOADED', 'the router stopped before the call got a slot; ask again', true);
      throw error;
    }
    try {
      // No statement of this call waits for a pool connection past the call's deadline.
      // The gateway's overhead is counted from here: time queued for a slot is not its own work.
      const started = performance.now();
      return await withQueryDeadline(deadline, () => this.#run(req, deadline, started));
    } finally {
      permit.release();
    }
  }

  /**
   * The request's deadline on this host's clock: its `timeoutMs` counted from its arrival (a
   * duration, so the hosts' clocks need not agree), never later than the gateway's own call
   * timeout from then. The caller sends a budget a margin shorter than it waits (see agent-kit's
   * `gatewayBudgetMs`), so a reply made just inside this deadline still finds it waiting.
   */
  #deadlineOf(req: ModelCallRequest, arrived: number): number {
    const totalMs = this.#deps.source.current.config.gateway.timeouts.totalMs;
    return arrived + Math.min(req.timeoutMs ?? totalMs, totalMs);
  }

  /** The stored state (or answer) of a deferrable call already in a batch; null for any other call. */
  async #knownDeferred(req: ModelCallRequest, deadline: number): Promise<ModelCallReply | null> {
    const { deferred } = this.#deps;
    if (!req.deferrable || req.streamTo !== undefined || !deferred) return null;
    return withQueryDeadline(deadline, () => deferred.known(req, inputOf(req)));
  }

  async #run(req: ModelCallRequest, deadline: number, started: number): Promise<ModelCallReply> {
    const { gateway, source, bus } = this.#deps;
    const record = await this.#routingOf(req.taskId);
    if (record instanceof ForgeError) return failure(record.code, record.message, record.retryable);
    if (record.skill !== req.skill) {
      return failure(
        'BAD_INPUT',
        `skill: the call names ${req.skill} but task ${req.taskId} runs ${record.skill}`,
      );
    }
    if (record.status !== 'routed') {
      return failure(
        'BUDGET_EXHAUSTED',
        `task ${req.taskId} was ${record.status} by the router, not routed to a model`,
      );
    }
    const ctx: CallContext = {
      source: 'task',
      taskId: req.taskId,
      attempt: req.attempt,
      callId: req.callId,
      skill: record.skill,
      agent: record.agent,
      principal: principalOf(record.origin) ?? null,
      partner: record.origin.partner ?? null,
      tier: record.decision.tier,
      critical: record.critical,
      maxTier: record.maxTier,
      escalation: escalationPolicyFor(source.current.config, record.skill),
    };
    const input = inputOf(req);
    let index = 0;
    const streamTo = req.output === undefined ? req.streamTo : undefined;
    if (req.deferrable && streamTo === undefined && this.#deps.deferred) {
      const deferred = await this.#deps.deferred.offer(ctx, input);
      if (deferred) return deferred;
    }
    // The shutdown signal goes down as it is: every listener put on it below (the providers'
    // per-call controls, a stream's deadline, a retry's sleep) is removed when its attempt ends,
    // so none pile up on it and no per-call signal needs to be made and linked.
    const signal = this.#shutdown.signal;
    const callerDeadline =
      req.timeoutMs !== undefined && req.timeoutMs < source.current.config.gateway.timeouts.totalMs;
    const outcome = await gateway.call(
      ctx,
      input,
      streamTo === undefined
        ? { signal, deadline, callerDeadline }
        : {
            signal,
            deadline,
            callerDeadline,
            onDelta: (text) =>
              bus.emit(streamTo, ModelStreamChunk, {
                v: 1,
                taskId: req.taskId,
                attempt: req.attempt,
                callId: req.callId,
                index: index++,
                text,
              }),
          },
      started,
    );
    return toReply(outcome);
  }

  /** The task's recorded routing; routes a task that has none yet (it skipped the router). */
  async #routingOf(taskId: string): Promise<RoutingDecisionRecord | ForgeError> {
    const { routing, tasks, router } = this.#deps;
    const known = await routing.get(taskId);
    if (known) return known;
    const task = await tasks.get(taskId);
    if (!task) return new ForgeError('NOT_FOUND', `task ${taskId} does not exist`, { retryable: false });
    const routed = await router.route(envelopeOf(task));
    if (routed.kind === 'unknown-skill')
      return new ForgeError('UNKNOWN_SKILL', routed.reason, { retryable: false });
    routing.remember(routed.record);
    return routed.record;
  }
}
