import { TaskNotCancelableError } from '@a2a-js/sdk/errors';
import { ForgeError, isForgeError, isTerminal } from '@forge/contracts';
import { linkedSignal } from '@forge/service-runtime';
import type { TaskRecord, TaskRepository } from '@forge/store';
import type { Logger } from '@forge/telemetry';
import type { CancelRequester, StatusPublisher } from '../ports/ports.js';
import { taskNotFound } from './a2a-errors.js';
import type { Caller } from './caller.js';
import { type StatusSource, TaskFeed } from './task-feed.js';

export interface CancelDeps {
  tasks: TaskRepository;
  status: StatusSource;
  publisher: StatusPublisher;
  canceller: CancelRequester;
  logger: Logger;
  quietMs: number;
  /** How long CancelTask waits for the holding worker to commit `canceled`. */
  cancelWaitMs: number;
}

/** How long one cancel request waits for the holding worker's reply. */
const REQUEST_TIMEOUT_MS = 1_000;

/**
 * CancelTask, at any replica. Cancel is a message to the worker, which writes CANCELED itself:
 *
 * 1. A durable intent is recorded first (`a2a.metadata.cancelRequested`), so a worker that picks
 *    the task up later (or a redelivery after its holder died) ends it instead of running it.
 * 2. A task nobody runs (`submitted`, `input-required`, `auth-required`) is moved to `canceled` by
 *    the edge with a compare-and-set; a worker that picks its message up later finds it ended.
 * 3. A `working` task: a cancel request goes to every worker of the agent; the one holding it
 *    aborts the handler, commits `canceled` and replies held=true, and the edge waits (bounded by
 *    `cancelWaitMs`) for that change. No reply: its holder died; the intent from step 1 covers it.
 *
 * Answers with the task as it stands afterwards; TaskNotCancelable for a task that already ended
 * otherwise than canceled. Never hangs: every wait is bounded.
 */
export async function cancelTask(deps: CancelDeps, id: string, caller: Caller): Promise<TaskRecord> {
  const load = () => deps.tasks.getOwned(id, caller.principal);
  const first = await load();
  if (!first) throw taskNotFound(id);
  if (first.state === 'canceled') return first;
  if (isTerminal(first.state))
    throw new TaskNotCancelableError(`task ${id} is ${first.state}; it cannot be canceled`);
  const feed = await TaskFeed.open(deps.status, id, load, deps.quietMs);
  try {
    await deps.tasks.updateA2A(id, {
      metadata: { cancelRequested: { by: caller.principal, at: new Date().toISOString() } },
    });
    const deadline = Date.now() + deps.cancelWaitMs;
    let current = first;
    while (Date.now() < deadline) {
      current = (await load()) ?? current;
      if (isTerminal(current.state)) return current;
      if (current.state !== 'working') {
        try {
          const canceled = await deps.tasks.transition(id, {
            to: 'canceled',
            from: [current.state],
            message: `canceled by ${caller.principal}`,
          });
          deps.publisher.publish(canceled);
          return canceled;
        } catch (error) {
          if (!isForgeError(error, 'ILLEGAL_TRANSITION')) throw error;
          continue; // a worker took it meanwhile: ask the worker
        }
      }
      const reply = await deps.canceller.request(
        { v: 1, taskId: id, by: caller.principal },
        Math.max(1, Math.min(REQUEST_TIMEOUT_MS, deadline - Date.now())),
      );
      if (!reply?.held) {
        deps.logger.warn(
          { taskId: id },
          'cancel: task is working but no worker holds it; it ends on redelivery',
        );
        return (await load()) ?? current;
      }
      const waitFor = linkedSignal([caller.signal], {
        ms: Math.max(1, deadline - Date.now()),
        reason: () => new ForgeError('DEADLINE_EXCEEDED', 'the cancel wait ended'),
      });
      try {
        for await (const change of feed.follow(current, waitFor.signal)) {
          if (isTerminal(change.state)) break;
        }
      } finally {
        waitFor.dispose();
      }
      return (await load()) ?? current;
    }
    return current;
  } finally {
    feed.close();
  }
}
