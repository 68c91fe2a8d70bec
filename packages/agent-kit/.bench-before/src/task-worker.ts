import {
  type CancelReply,
  type CancelRequest,
  describeIssues,
  ForgeError,
  isForgeError,
  isTerminal,
  splitSkillRef,
  type TaskEnvelope,
  type TaskError,
  type TaskState,
} from '@forge/contracts';
import type { TaskRecord, TaskRepository, TransitionChange } from '@forge/store';
import { type Logger, withSpan } from '@forge/telemetry';
import { untilAborted } from './abortable.js';
import type { AgentDefinition } from './define-agent.js';
import type { Skill } from './define-skill.js';
import { type EarlyEnd, HeldTask } from './held-task.js';
import { isInputRequired } from './input-required.js';
import type { ModelClientFactory } from './model-client.js';
import type { EventPublisher, StatusPublisher } from './ports.js';
import { createSkillContext } from './skill-context.js';

/** What the worker needs to know about the delivery it runs. */
export interface Delivery {
  /** 1 on the first delivery. */
  readonly deliveryCount: number;
  /** Deliveries the bus allows before it dead-letters. */
  readonly maxDeliver: number;
  /** Aborted when the service stops and its grace ran out (the bus then naks the message). */
  readonly signal: AbortSignal;
}

export interface TaskWorkerDeps {
  agent: AgentDefinition;
  brain: string;
  tasks: TaskRepository;
  status: StatusPublisher;
  events: EventPublisher;
  models: ModelClientFactory;
  logger: Logger;
}

/** setTimeout's ceiling (about 24.8 days). */
const MAX_TIMER_MS = 2_147_483_647;

/** The states from which a delivery starts (or resumes) the task. */
const STARTABLE: ReadonlySet<TaskState> = new Set(['submitted', 'input-required', 'auth-required']);

/**
 * Runs the agent's tasks: the one writer of a task's state while it holds it. Per delivery:
 * load (or idempotently create) the record, skip it when terminal, move it to `working` with a
 * compare-and-set, validate the input, run the skill, validate the output, and commit the end
 * state with the output in one statement; each committed change is announced after the commit.
 *
 * Resolving acks the message. A retryable failure leaves the task `working` and rethrows (the bus
 * naks it); a failure that will be dead-lettered (non-retryable, or the last allowed delivery)
 * first ends the task `failed` with the reason, then rethrows. Bad input, unknown skills, cancel,
 * deadlines and `requireInput` are outcomes, not failures: committed, then acked.
 */
export class TaskWorker {
  readonly #deps: TaskWorkerDeps;
  readonly #held = new Map<string, HeldTask>();

  constructor(deps: TaskWorkerDeps) {
    this.#deps = deps;
  }

  /** Tasks this worker holds right now. */
  get inFlight(): number {
    return this.#held.size;
  }

  /**
   * Answers a cancel request: when this worker holds the task, aborts its handler, commits
   * `canceled` (as soon as the task is `working`) and replies held=true; otherwise null.
   */
  cancel(request: CancelRequest): CancelReply | null {
    const held = this.#held.get(request.taskId);
    if (!held) return null;
    held.end({ kind: 'canceled', by: request.by });
    return { v: 1, taskId: request.taskId, held: true };
  }

  /** The consumer handler for one delivery of one envelope. */
  run(envelope: TaskEnvelope, delivery: Delivery): Promise<void> {
    const logger = this.#deps.logger.child({
      taskId: envelope.id,
      skill: envelope.skill,
      delivery: delivery.deliveryCount,
    });
    return withSpan('forge.skill.run', () => this.#run(envelope, delivery, logger), {
      attributes: {
        'forge.task.id': envelope.id,
        'forge.skill': envelope.skill,
        'forge.brain': this.#deps.brain,
        'forge.delivery': delivery.deliveryCount,
      },
    });
  }

  async #run(envelope: TaskEnvelope, delivery: Delivery, logger: Logger): Promise<void> {
    const { tasks } = this.#deps;
    const record = (await tasks.get(envelope.id)) ?? (await tasks.create(envelope)).record;
    if (record.id !== envelope.id) {
      logger.info({ existing: record.id }, 'idempotency key already names another task: duplicate dropped');
      return;
    }
    if (isTerminal(record.state)) {
      logger.debug({ state: record.state }, 'task already ended: message dropped');
      return;
    }
    if (record.state === 'working' && delivery.deliveryCount === 1) {
      // A second message for a task another delivery holds (a re-publish): that delivery owns it.
      logger.info('task is already working under another message: duplicate dropped');
      return;
    }
    const skill = this.#skillOf(record);
    if (!skill) {
      await this.#end(record, {
        to: 'failed',
        error: {
          code: 'UNKNOWN_SKILL',
          message: `agent ${this.#deps.agent.name} has no skill ${record.skill}`,
        },
      });
      return;
    }
    if (record.a2a.metadata.cancelRequested !== undefined) {
      await this.#end(record, { to: 'canceled', message: 'canceled before it started' });
      return;
    }
    const deadline = envelope.deadline ?? record.deadline;
    if (deadline !== undefined && Date.parse(deadline) <= Date.now()) {
      await this.#end(record, {
        to: 'failed',
        error: { code: 'DEADLINE_EXCEEDED', message: `the deadline ${deadline} passed before the task ran` },
      });
      return;
    }
    if (this.#held.has(record.id)) {
      // Two messages for one task reached this worker at once (a re-publish): one runs it.
      logger.info('task is already held by this worker: duplicate dropped');
      return;
    }
    const held = new HeldTask(record.id, (end) => this.#commitEarlyEnd(record.id, end, logger));
    // Registered before the move to working, so a cancel racing the start is not missed.
    this.#held.set(record.id, held);
    const timer =
      deadline === undefined
        ? undefined
        : setTimeout(
            () => held.end({ kind: 'deadline' }),
            Math.min(Date.parse(deadline) - Date.now(), MAX_TIMER_MS),
          );
    try {
      const working = await this.#start(record, logger);
      if (!working) return;
      held.started();
      await this.#execute(envelope, working, skill, held, delivery, logger);
    } finally {
      if (timer) clearTimeout(timer);
      await held.settled();
      if (this.#held.get(record.id) === held) this.#held.delete(record.id);
    }
  }

  #skillOf(record: TaskRecord): Skill | undefined {
    const { agent, skill } = splitSkillRef(record.skill);
    return agent === this.#deps.agent.name ? this.#deps.agent.skill(skill) : undefined;
  }

  /** CAS into `working` as a new attempt; null when someone else moved the task meanwhile. */
  async #start(record: TaskRecord, logger: Logger): Promise<TaskRecord | null> {
    const from: TaskState = record.state;
    if (!STARTABLE.has(from) && from !== 'working') {
      logger.warn({ state: from }, 'task is in a state a worker cannot start from: dropped');
      return null;
    }
    try {
      const working = await this.#deps.tasks.transition(record.id, {
        to: 'working',
        from: [from],
        newAttempt: true,
      });
      this.#deps.status.publish(working);
      return working;
    } catch (error) {
      if (!isForgeError(error, 'ILLEGAL_TRANSITION')) throw error;
      logger.info({ err: error.message }, 'task moved by someone else before it started: dropped');
      return null;
    }
  }

  async #execute(
    envelope: TaskEnvelope,
    record: TaskRecord,
    skill: Skill,
    held: HeldTask,
    delivery: Delivery,
    logger: Logger,
  ): Promise<void> {
    const deps = this.#deps;
    if (held.early) return; // canceled (or expired) while starting; held.started() commits it
    const parsed = skill.input.safeParse(envelope.input);
    if (!parsed.success) {
      const issues = describeIssues(parsed.error, 'input');
      await this.#end(record, {
        to: 'failed',
        error: { code: 'BAD_INPUT', message: `invalid input for ${record.skill}: ${issues.join('; ')}` },
      });
      return;
    }
    const signal = AbortSignal.any([held.controller.signal, delivery.signal]);
    const ctx = createSkillContext({
      brain: deps.brain,
      agent: deps.agent.name,
      record,
      signal,
      logger,
      models: deps.models({ taskId: record.id, attempt: record.attempt, skill: record.skill }),
      tasks: deps.tasks,
      status: deps.status,
      events: deps.events,
    });
    let output: unknown;
    try {
      output = await untilAborted(skill.handler(parsed.data, ctx), signal);
    } catch (error) {
      await this.#failed(record, error, held, delivery, logger);
      return;
    }
    if (held.early) return;
    const checked = skill.output.safeParse(output);
    if (!checked.success) {
      const issues = describeIssues(checked.error, 'output');
      const bug = new ForgeError(
        'INTERNAL',
        `${record.skill} returned invalid output: ${issues.join('; ')}`,
        {
          retryable: false,
        },
      );
      await this.#end(record, { to: 'failed', error: { code: bug.code, message: bug.message } });
      throw bug;
    }
    await this.#end(record, { to: 'completed', output: checked.data });
  }

  async #failed(
    record: TaskRecord,
    error: unknown,
    held: HeldTask,
    delivery: Delivery,
    logger: Logger,
  ): Promise<void> {
    if (held.early) return; // canceled or expired: the end is committed by HeldTask
    if (isInputRequired(error)) {
      await this.#end(record, { to: 'input-required', message: error.reason });
      return;
    }
    if (delivery.signal.aborted) {
      // Shutdown: the bus naks the message for another replica; the task stays `working`.
      throw new ForgeError('UNAVAILABLE', 'the worker is shutting down', { retryable: true, cause: error });
    }
    // The same rule as the bus: anything that is not a ForgeError counts as retryable.
    const retryable = error instanceof ForgeError ? error.retryable : true;
    const forge = ForgeError.from(error);
    if (retryable && delivery.deliveryCount < delivery.maxDeliver) {
      logger.warn({ err: forge.message, code: forge.code }, 'skill failed; will retry');
      throw error;
    }
    const reason: TaskError = {
      code: forge.code,
      message: retryable
        ? `gave up after ${delivery.deliveryCount} attempts: ${forge.message}`
        : forge.message,
    };
    logger.warn({ err: forge.message, code: forge.code }, 'skill failed; task failed');
    await this.#end(record, { to: 'failed', error: reason });
    throw error;
  }

  /** Commits an end state from the record's current state; a lost race is logged, not thrown. */
  async #end(record: TaskRecord, change: Omit<TransitionChange, 'from'>): Promise<void> {
    try {
      const ended = await this.#deps.tasks.transition(record.id, { ...change, from: [record.state] });
      this.#deps.status.publish(ended);
    } catch (error) {
      if (!isForgeError(error, 'ILLEGAL_TRANSITION')) throw error;
      this.#deps.logger.info(
        { taskId: record.id, to: change.to, err: error.message },
        'task already moved on',
      );
    }
  }

  async #commitEarlyEnd(taskId: string, end: EarlyEnd, logger: Logger): Promise<void> {
    const change: TransitionChange =
      end.kind === 'canceled'
        ? { to: 'canceled', from: ['working'], message: `canceled by ${end.by}` }
        : {
            to: 'failed',
            from: ['working'],
            error: { code: 'DEADLINE_EXCEEDED', message: 'the task deadline passed' },
          };
    try {
      const ended = await this.#deps.tasks.transition(taskId, change);
      this.#deps.status.publish(ended);
      logger.info({ state: ended.state }, 'task ended early');
    } catch (error) {
      logger.info({ err: error instanceof Error ? error.message : String(error) }, 'early end lost a race');
    }
  }
}
