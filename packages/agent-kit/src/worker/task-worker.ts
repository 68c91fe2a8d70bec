import {
  type CancelReply,
  type CancelRequest,
  describeIssues,
  ForgeError,
  type TaskEnvelope,
} from '@forge/contracts';
import { untilAborted } from '@forge/service-runtime';
import type { TaskRecord, TaskRepository, TransitionChange } from '@forge/store';
import { type Logger, withSpan } from '@forge/telemetry';
import type { ModelClientFactory } from '../models/model-client.js';
import type { NatsPartnerClient } from '../partners/partner-client.js';
import type { EventPublisher, StatusPublisher } from '../ports/ports.js';
import type { AgentDefinition } from '../skills/define-agent.js';
import type { Skill } from '../skills/define-skill.js';
import { isInputRequired } from '../skills/input-required.js';
import { isRejected, isSkillReply, type SkillReply } from '../skills/skill-result.js';
import { claimTask } from './claim-task.js';
import { type EarlyEnd, HeldTask } from './held-task.js';
import { createSkillContext } from './skill-context.js';
import { commitEnd } from './task-end.js';
import { replyChange, taskErrorOf } from './task-outcome.js';

/** What the worker needs to know about the delivery it runs. */
export interface Delivery {
  /** 1 on the first delivery. */
  readonly deliveryCount: number;
  /** Deliveries the bus allows before it dead-letters. */
  readonly maxDeliver: number;
  /** The message's stream sequence: the same for every redelivery of one message. */
  readonly streamSequence: number;
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
  /** How skills ask partner brains; default none. */
  partners?: NatsPartnerClient;
  logger: Logger;
}

/** setTimeout's ceiling (about 24.8 days). */
const MAX_TIMER_MS = 2_147_483_647;

/** What a cancel intent recorded by the edge looks like (`a2a.metadata.cancelRequested`). */
function cancelIntent(record: TaskRecord): { by: string } | undefined {
  const intent = record.a2a.metadata.cancelRequested as { by?: unknown } | undefined;
  if (intent === undefined) return undefined;
  return { by: typeof intent.by === 'string' ? intent.by : 'someone' };
}

/**
 * Runs the agent's tasks: the one writer of a task's state while it holds it. Per delivery:
 * claim the task (move it to `working` with a compare-and-set, creating the record if another
 * service published the envelope, skipping it when it ended), validate the input, run the skill,
 * validate the output, and commit the end state with the output in one statement; each committed
 * change is announced after the commit.
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
    const holding = this.#held.get(envelope.id);
    if (holding) return this.#alreadyHeld(holding, delivery, logger);
    const held = new HeldTask(envelope.id, delivery.streamSequence, (end) =>
      this.#commitEarlyEnd(envelope.id, end, logger),
    );
    // Registered before the move to working, so a cancel racing the start is not missed.
    this.#held.set(envelope.id, held);
    held.outcome = withSpan('forge.skill.run', () => this.#run(envelope, held, delivery, logger), {
      attributes: {
        'forge.task.id': envelope.id,
        'forge.skill': envelope.skill,
        'forge.brain': this.#deps.brain,
        'forge.delivery': delivery.deliveryCount,
      },
    }).finally(() => {
      if (this.#held.get(envelope.id) === held) this.#held.delete(envelope.id);
    });
    return held.outcome;
  }

  /**
   * A delivery for a task this worker already runs. The same message again (its ack wait ran out
   * while the first delivery still runs here, e.g. NATS was away longer than the ack wait) follows
   * the running delivery: it settles as that one does, so the message is never acked while the
   * task could still fail and need another try. Another message for the task (a re-publish) is
   * dropped: the running delivery carries the task.
   */
  #alreadyHeld(holding: HeldTask, delivery: Delivery, logger: Logger): Promise<void> {
    if (holding.streamSequence === delivery.streamSequence) {
      logger.warn('message redelivered while this worker still runs it: following the running delivery');
      return holding.outcome;
    }
    logger.info('task is already held by this worker: duplicate dropped');
    return Promise.resolve();
  }

  async #run(envelope: TaskEnvelope, held: HeldTask, delivery: Delivery, logger: Logger): Promise<void> {
    const deps = this.#deps;
    let timer: NodeJS.Timeout | undefined;
    try {
      const claim = await claimTask(deps, envelope, delivery.deliveryCount, logger);
      if (!claim) return;
      const { record, skill } = claim;
      const deadline = envelope.deadline ?? record.deadline;
      if (deadline !== undefined) {
        timer = setTimeout(
          () => held.end({ kind: 'deadline' }),
          Math.min(Date.parse(deadline) - Date.now(), MAX_TIMER_MS),
        );
      }
      held.claimSeq = record.seq;
      held.started();
      // A cancel intent the edge recorded before this delivery claimed the task: the record the
      // compare-and-set returned carries it. (A cancel request during the claim is answered by
      // the HeldTask registered above.)
      const intent = cancelIntent(record);
      if (intent) held.end({ kind: 'canceled', by: intent.by });
      await this.#execute(envelope, record, skill, held, delivery, logger);
    } finally {
      clearTimeout(timer);
      await held.settled();
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
      skill,
      record,
      signal,
      logger,
      models: deps.models({ taskId: record.id, attempt: record.attempt, skill: record.skill }),
      ...(deps.partners ? { partners: deps.partners.forTask(record.id, signal) } : {}),
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
    if (skill.answer === 'message' || isSkillReply(output)) {
      if (skill.answer !== 'message' || !isSkillReply(output)) {
        const said =
          skill.answer === 'message'
            ? 'answers with a message but returned none'
            : 'returned a reply but answers with a task';
        await this.#bug(
          record,
          new ForgeError('INTERNAL', `${record.skill} ${said}`, { retryable: false }),
          logger,
        );
      }
      await this.#end(record, replyChange(record, output as SkillReply));
      return;
    }
    const checked = skill.output.safeParse(output);
    if (!checked.success) {
      const issues = describeIssues(checked.error, 'output');
      await this.#bug(
        record,
        new ForgeError('INTERNAL', `${record.skill} returned invalid output: ${issues.join('; ')}`, {
          retryable: false,
        }),
        logger,
      );
    }
    await this.#end(record, {
      to: 'completed',
      ...(checked.data === undefined ? {} : { output: checked.data }),
    });
  }

  /** A skill's own mistake: the task fails (the caller sees the table's message and an id, the log
   *  the detail), and the message is dead-lettered. */
  async #bug(record: TaskRecord, bug: ForgeError, logger: Logger): Promise<never> {
    await this.#end(record, { to: 'failed', error: taskErrorOf(bug, logger) });
    throw bug;
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
    if (isRejected(error)) {
      await this.#end(record, { to: 'rejected', message: error.reason });
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
    const reason = taskErrorOf(
      forge,
      logger,
      retryable ? `gave up after ${delivery.deliveryCount} attempts: ` : '',
    );
    logger.warn({ err: forge.message, code: forge.code }, 'skill failed; task failed');
    await this.#end(record, { to: 'failed', error: reason });
    throw error;
  }

  /** Commits an end state from the claimed record's state; a lost race is logged, not thrown. */
  #end(record: TaskRecord, change: Omit<TransitionChange, 'from' | 'claimSeq'>): Promise<void> {
    return commitEnd(this.#deps, record, change, true);
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
    const claimSeq = this.#held.get(taskId)?.claimSeq;
    if (claimSeq !== undefined) change.claimSeq = claimSeq;
    try {
      const ended = await this.#deps.tasks.transition(taskId, change);
      this.#deps.status.publish(ended);
      logger.info({ state: ended.state }, 'task ended early');
    } catch (error) {
      logger.info({ err: error instanceof Error ? error.message : String(error) }, 'early end lost a race');
    }
  }
}
