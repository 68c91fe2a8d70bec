import type { Bus } from '@forge/bus';
import {
  type ApprovalItem,
  ApprovalListQuery,
  ApproveRequest,
  ForgeError,
  type FrontierReview,
  parseOrThrow,
  RejectRequest,
  STATUS_EVENT_VERSION,
  StatusEvent,
  TaskEnvelope,
} from '@forge/contracts';
import type { ApprovalRepository, NewApprovalItem, TaskRepository } from '@forge/store';
import type { Logger } from '@forge/telemetry';
import type { TaskSubmitter } from './submit-task.js';

/** The publisher skill an approved post is handed to. */
export const SCHEDULE_APPROVED_SKILL = 'publisher.schedule-approved';

export interface ApprovalQueueDeps {
  repo: ApprovalRepository;
  /** Hands approved posts to the publisher. */
  submitter: TaskSubmitter;
  /** Releases or rejects tasks a budget held back. */
  tasks: TaskRepository;
  bus: Bus;
  brain: string;
  logger: Logger;
}

/**
 * The approval queue's service API, for every caller that is not a person's raw SQL: the
 * compliance skills that fill it, its HTTP routes and A2A skills, and a console.
 *
 * Only approved items move on: an approved post is handed to `publisher.schedule-approved`
 * under the idempotency key `publish:<approvalId>`, so a retried hand-off is the same task and
 * the publisher keys the publication by the approval; an approved budget item forwards its held
 * envelope to its agent (msgId `run:<taskId>`, as the router would have). A decision is committed
 * before its hand-off; `retryHandOffs` (run by the notifier loop) finishes hand-offs a crash cut.
 */
export class ApprovalQueue {
  readonly #deps: ApprovalQueueDeps;

  constructor(deps: ApprovalQueueDeps) {
    this.#deps = deps;
  }

  /** Adds a text that would leave the company; idempotent on `sourceKey`. Auto-approved items are handed off at once. */
  async add(item: NewApprovalItem): Promise<{ item: ApprovalItem; created: boolean }> {
    const result = await this.#deps.repo.create(item);
    if (result.item.status === 'approved') await this.#handOff(result.item, null);
    return result;
  }

  list(query: ApprovalListQuery = {}): Promise<ApprovalItem[]> {
    const q = parseOrThrow(ApprovalListQuery, query, 'approval query');
    return this.#deps.repo.list(q);
  }

  /** The item, or NOT_FOUND. */
  async get(id: string): Promise<ApprovalItem> {
    const item = await this.#deps.repo.get(id);
    if (!item) throw new ForgeError('NOT_FOUND', `no approval item ${id}`, { retryable: false });
    return item;
  }

  attachReview(id: string, review: FrontierReview): Promise<ApprovalItem> {
    return this.#deps.repo.attachReview(id, review, 'compliance');
  }

  /** Approves (or, with `text`, edits then approves) a pending item as `actor`, then hands it on. */
  async approve(id: string, actor: string, request: ApproveRequest = {}): Promise<ApprovalItem> {
    const r = parseOrThrow(ApproveRequest, request, 'approve request');
    const current = await this.get(id);
    if (current.kind === 'budget') {
      if (r.text !== undefined) throw badInput('text', 'a budget item has no text to edit');
      const { item, envelope } = await this.#deps.repo.decideBudget(id, {
        approve: true,
        actor,
        reason: r.reason ?? null,
      });
      await this.#handOff(item, envelope);
      return item;
    }
    if (r.text !== undefined && current.text !== null && r.text === current.text.trim()) delete r.text;
    const item = await this.#deps.repo.decide(id, {
      action: r.text === undefined ? 'approve' : 'edit-approve',
      actor,
      reason: r.reason ?? null,
      ...(r.text === undefined ? {} : { text: r.text }),
    });
    await this.#handOff(item, null, r.publishAt);
    return item;
  }

  /** Rejects a pending item as `actor` with a reason; a rejected budget task ends `rejected`. */
  async reject(id: string, actor: string, request: RejectRequest): Promise<ApprovalItem> {
    const r = parseOrThrow(RejectRequest, request, 'reject request');
    const current = await this.get(id);
    if (current.kind === 'budget') {
      const { item } = await this.#deps.repo.decideBudget(id, { approve: false, actor, reason: r.reason });
      await this.#rejectHeldTask(id, `rejected by ${actor}: ${r.reason}`);
      return item;
    }
    return this.#deps.repo.decide(id, { action: 'reject', actor, reason: r.reason });
  }

  /** Finishes hand-offs a crash interrupted; returns how many it completed. */
  async retryHandOffs(limit = 20): Promise<number> {
    const due = await this.#deps.repo.pendingHandOffs(limit);
    for (const { item, envelope } of due) await this.#handOff(item, envelope);
    return due.length;
  }

  async #handOff(item: ApprovalItem, envelope: TaskEnvelope | null, publishAt?: string): Promise<void> {
    const { submitter, bus, repo, logger } = this.#deps;
    if (item.kind === 'budget') {
      if (!envelope) throw new ForgeError('INTERNAL', `budget item ${item.id} has no held envelope`);
      await bus.publish(bus.subjects.taskRun(item.budget!.agent), TaskEnvelope, envelope, {
        msgId: `run:${item.id}`,
      });
      await this.#deps.tasks
        .updateA2A(item.id, { metadata: { approval: { status: 'approved', by: item.decidedBy } } })
        .catch((error: unknown) =>
          logger.warn({ err: String(error), taskId: item.id }, 'approval note not kept'),
        );
    } else {
      const at = publishAt ?? (item.context.publishAt as string | undefined);
      await submitter.submit({
        skill: SCHEDULE_APPROVED_SKILL,
        input: { approvalId: item.id, ...(at ? { notBefore: at } : {}) },
        origin: { kind: 'agent', brain: this.#deps.brain, by: 'compliance' },
        idempotencyKey: `publish:${item.id}`,
        ...(item.originTaskId ? { parentId: item.originTaskId } : {}),
      });
    }
    await repo.markHandedOff([item.id]);
    logger.info({ approvalId: item.id, kind: item.kind, by: item.decidedBy }, 'approved item handed on');
  }

  async #rejectHeldTask(taskId: string, message: string): Promise<void> {
    const { tasks, bus, logger } = this.#deps;
    try {
      const record = await tasks.transition(taskId, {
        to: 'rejected',
        from: ['submitted'],
        message,
        error: { code: 'BUDGET_EXHAUSTED', message },
      });
      bus.emit(bus.subjects.status(taskId), StatusEvent, {
        v: STATUS_EVENT_VERSION,
        taskId,
        state: record.state,
        seq: record.seq,
        at: record.updatedAt,
        message,
        error: { code: 'BUDGET_EXHAUSTED', message },
      });
    } catch (error) {
      logger.warn({ taskId, err: String(error) }, 'held task not moved to rejected');
    }
  }
}

function badInput(field: string, message: string): ForgeError {
  return new ForgeError('BAD_INPUT', `invalid approve request: ${field}: ${message}`, {
    retryable: false,
    details: { field },
  });
}
