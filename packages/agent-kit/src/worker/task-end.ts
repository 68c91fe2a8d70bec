import { isForgeError } from '@forge/contracts';
import type { TaskRecord, TaskRepository, TransitionChange } from '@forge/store';
import type { Logger } from '@forge/telemetry';
import type { StatusPublisher } from '../ports/ports.js';

export interface EndDeps {
  tasks: TaskRepository;
  status: StatusPublisher;
  logger: Logger;
}

/**
 * Commits an end state (or input-required) from the record's current state, then announces it.
 * A lost race (someone moved the task meanwhile, e.g. a cancel) is logged, not thrown: the task
 * has an outcome either way. `claimed`: the record is this worker's own claim (non-durable), so
 * the commit names its seq and a claim lost with a Postgres crash is redone, not a lost race.
 */
export async function commitEnd(
  deps: EndDeps,
  record: TaskRecord,
  change: Omit<TransitionChange, 'from' | 'claimSeq'>,
  claimed = false,
): Promise<void> {
  try {
    const ended = await deps.tasks.transition(record.id, {
      ...change,
      from: [record.state],
      ...(claimed ? { claimSeq: record.seq } : {}),
    });
    deps.status.publish(ended);
  } catch (error) {
    if (!isForgeError(error, 'ILLEGAL_TRANSITION')) throw error;
    deps.logger.info({ taskId: record.id, to: change.to, err: error.message }, 'task already moved on');
  }
}
