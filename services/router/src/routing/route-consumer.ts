import type { Bus, MessageContext, TaskConsumer } from '@forge/bus';
import {
  isForgeError,
  STATUS_EVENT_VERSION,
  StatusEvent,
  TaskEnvelope,
  type TaskError,
} from '@forge/contracts';
import {
  createFromEnvelope,
  type RoutingDecisionRepository,
  type TaskRecord,
  type TaskRepository,
} from '@forge/store';
import type { Logger } from '@forge/telemetry';
import { RouteTelemetry } from './route-telemetry.js';
import { DuplicateEnvelopeError, type TaskRouter, type TaskRouting } from './task-router.js';
import type { TaskRoutingCache } from './task-routing-cache.js';

export interface RouteConsumerDeps {
  bus: Bus;
  router: TaskRouter;
  tasks: TaskRepository;
  decisions: RoutingDecisionRepository;
  cache: TaskRoutingCache;
  concurrency: number;
  logger: Logger;
}

/**
 * The durable `router` consumer on `task.route`. Per task: the decision (see `TaskRouter`), then
 * routed → the envelope, routing stamped, to `task.run.<agent>` with a msgId naming the message it
 * carries (see `runMsgId`), so a redelivery never runs it twice and a task's next message (a
 * follow-up to input-required) is never taken for a repeat; budget `reject` or an unknown skill → the task is rejected
 * with the reason; budget `queue` → an approval row, the task stays submitted and its status says
 * it waits for approval. The message is acked only after all of that is stored and the forward
 * is acknowledged by JetStream; a failure before that naks it for another try.
 *
 * A task with no row whose idempotency key names another task of the caller (a Postgres crash lost
 * the edge's non-durable insert and the caller retried the message first, making that task) is a
 * duplicate: its message is acked and dropped with a log line, never routed, rejected or retried.
 */
export class RouteConsumer {
  readonly #deps: RouteConsumerDeps;
  readonly #consumer: TaskConsumer;
  readonly #telemetry = new RouteTelemetry();

  constructor(deps: RouteConsumerDeps) {
    this.#deps = deps;
    const { bus } = deps;
    this.#consumer = bus.consumer({
      stream: bus.subjects.streams.tasks.name,
      durable: bus.subjects.consumers.router,
      filterSubject: bus.subjects.taskRoute,
      schema: TaskEnvelope,
      concurrency: deps.concurrency,
      handler: (task, ctx) => this.#handle(task, ctx),
    });
  }

  start(): Promise<void> {
    return this.#consumer.start();
  }

  stop(graceMs?: number): Promise<void> {
    return this.#consumer.stop(graceMs);
  }

  get inFlight(): number {
    return this.#consumer.inFlight;
  }

  async #handle(task: TaskEnvelope, ctx: MessageContext): Promise<void> {
    const { router, cache, bus, decisions } = this.#deps;
    const logger = this.#deps.logger.child({ taskId: task.id, skill: task.skill });
    let routing: TaskRouting;
    try {
      routing = await this.#telemetry.traced(task, () => router.route(task));
    } catch (error) {
      if (!(error instanceof DuplicateEnvelopeError)) throw error;
      duplicateDropped(logger, error.duplicateOf);
      return;
    }
    if (routing.kind === 'unknown-skill') {
      await this.#reject(task, { code: 'UNKNOWN_SKILL', message: routing.reason }, logger);
      return;
    }
    const { record, reused, stamped } = routing;
    cache.remember(record);
    const why = record.decision.reasons.join('; ');
    switch (record.status) {
      case 'routed': {
        const decision = stamped ?? record.decision;
        await bus.publish(
          bus.subjects.taskRun(record.agent),
          TaskEnvelope,
          { ...task, routing: decision },
          // The envelope this consumer validated, with the decision it recorded: no second pass.
          { msgId: runMsgId(task, ctx), checked: true },
        );
        logger.info(
          { tier: decision.tier, model: decision.model, reused, reasons: decision.reasons },
          'task routed',
        );
        return;
      }
      case 'rejected':
        await this.#reject(task, { code: 'BUDGET_EXHAUSTED', message: `rejected by budget: ${why}` }, logger);
        return;
      case 'queued': {
        const reason = `queued for approval: ${why}`;
        // The row first: a duplicate gets no approval row (an approval would only publish it again).
        if (!(await this.#deps.tasks.get(task.id)) && !(await this.#createRow(task, logger))) return;
        await decisions.queueForApproval({
          taskId: task.id,
          skill: task.skill,
          agent: record.agent,
          tier: record.decision.tier,
          reason,
          envelope: { ...task, routing: record.decision },
        });
        await this.#announceQueued(task, reason, logger);
        logger.warn(
          { tier: record.decision.tier, reasons: record.decision.reasons },
          'task queued for approval by budget',
        );
        return;
      }
    }
  }

  /** Rejects a task still waiting to be routed, and tells listeners; a task already past that is left alone. */
  async #reject(task: TaskEnvelope, error: TaskError, logger: Logger): Promise<void> {
    let record: TaskRecord | null;
    try {
      record = await this.#transitionCreating(task, error, logger);
    } catch (cause) {
      if (!isForgeError(cause, 'ILLEGAL_TRANSITION')) throw cause;
      logger.info({ reason: error.message }, 'task not rejected: it already moved on');
      return;
    }
    if (!record) return;
    this.#emit(record, error.message, error);
    this.#telemetry.rejected(task.skill);
    logger.warn({ code: error.code, reason: error.message }, 'task rejected');
  }

  /** The rejected task, or null when it has no row and its key names another task (a duplicate). */
  async #transitionCreating(
    task: TaskEnvelope,
    error: TaskError,
    logger: Logger,
  ): Promise<TaskRecord | null> {
    const { tasks } = this.#deps;
    const change = { to: 'rejected' as const, from: ['submitted' as const], message: error.message, error };
    try {
      return await tasks.transition(task.id, change);
    } catch (cause) {
      if (!isForgeError(cause, 'NOT_FOUND')) throw cause;
      if (!(await this.#createRow(task, logger))) return null;
      return tasks.transition(task.id, change);
    }
  }

  async #announceQueued(task: TaskEnvelope, reason: string, logger: Logger): Promise<void> {
    const { tasks } = this.#deps;
    const approval = { approval: { status: 'pending', reason } };
    try {
      await tasks.updateA2A(task.id, { metadata: approval });
    } catch (cause) {
      if (!isForgeError(cause, 'NOT_FOUND')) throw cause;
      if (!(await this.#createRow(task, logger))) return;
      await tasks.updateA2A(task.id, { metadata: approval });
    }
    const record = await tasks.get(task.id);
    if (record) this.#emit(record, reason);
  }

  /** Creates the task's missing row from its envelope; false (logged) when the envelope is a duplicate. */
  async #createRow(task: TaskEnvelope, logger: Logger): Promise<boolean> {
    const made = await createFromEnvelope(this.#deps.tasks, task);
    if ('record' in made) return true;
    duplicateDropped(logger, made.duplicateOf);
    return false;
  }

  #emit(record: TaskRecord, message: string, error?: TaskError): void {
    const { bus } = this.#deps;
    bus.emit(bus.subjects.status(record.id), StatusEvent, {
      v: STATUS_EVENT_VERSION,
      taskId: record.id,
      state: record.state,
      seq: record.seq,
      at: new Date().toISOString(),
      message,
      ...(error ? { error } : {}),
    });
  }
}

/**
 * The msgId of a forward to `task.run.<agent>`: `run:` and the msgId of the message being routed
 * (the edge names each message of a task: `<taskId>:<A2A messageId>`), so every hop's msgId names
 * the message it carries. A redelivery of one routing message forwards under the same msgId
 * (JetStream keeps it once); a task's next message has its own. A routing message published
 * without a msgId is named by the task and its stream sequence, which its redeliveries share.
 */
export function runMsgId(
  task: TaskEnvelope,
  ctx: Pick<MessageContext, 'headers' | 'streamSequence'>,
): string {
  const incoming = ctx.headers['Nats-Msg-Id'];
  return incoming ? `run:${incoming}` : `run:${task.id}:seq:${ctx.streamSequence}`;
}

/** Logs an envelope dropped as a duplicate of the task its idempotency key names. */
function duplicateDropped(logger: Logger, duplicateOf: string): void {
  logger.warn(
    { duplicateOf },
    'task has no row and its idempotency key names another task (the caller retried first): message dropped',
  );
}
