import { randomUUID } from 'node:crypto';
import { AgentEvent, isForgeError, parseOrThrow } from '@forge/contracts';
import type { TaskRecord, TaskRepository } from '@forge/store';
import type { Logger } from '@forge/telemetry';
import type { ModelClient } from '../models/model-client.js';
import type { EventPublisher, StatusPublisher } from '../ports/ports.js';
import type { SkillContext } from '../skills/define-skill.js';
import { InputRequiredSignal } from '../skills/input-required.js';

export interface SkillContextDeps {
  brain: string;
  agent: string;
  record: TaskRecord;
  signal: AbortSignal;
  logger: Logger;
  models: ModelClient;
  tasks: TaskRepository;
  status: StatusPublisher;
  events: EventPublisher;
}

/** Builds the context one run of one skill handler gets. */
export function createSkillContext(deps: SkillContextDeps): SkillContext {
  const { record } = deps;
  const progress = async (message: string): Promise<void> => {
    try {
      // working → working without a new attempt: a status line, committed like any change.
      const updated = await deps.tasks.transition(record.id, {
        to: 'working',
        from: ['working'],
        message: message.slice(0, 4000),
      });
      deps.status.publish(updated);
    } catch (error) {
      // The task ended meanwhile (canceled, deadline): the handler's signal says so already.
      if (!isForgeError(error, 'ILLEGAL_TRANSITION')) throw error;
      deps.logger.debug({ message }, 'progress after the task ended: dropped');
    }
  };
  const waiting = (message: string): void => {
    progress(message).catch((error: unknown) =>
      deps.logger.warn({ err: String(error) }, 'could not record that the model call waits in a batch'),
    );
  };
  return {
    task: {
      id: record.id,
      skill: record.skill,
      origin: record.origin,
      contextId: record.contextId,
      attempt: record.attempt,
      routing: record.routing,
      parentId: record.parentId,
      deadline: record.deadline,
    },
    signal: deps.signal,
    logger: deps.logger,
    // A call that names no signal of its own stops with the task (cancel, deadline, shutdown):
    // otherwise a canceled handler would wait out its model call (up to minutes) and then go on
    // to make the next one, spending budget on a task that has ended.
    // A call waiting in a vendor batch shows as the task's `working` status line.
    models: {
      call: (request, opts) =>
        deps.models.call(request, {
          ...opts,
          signal: opts?.signal ?? deps.signal,
          onWaiting: opts?.onWaiting ?? waiting,
        }),
    },
    progress,
    async emit(kind: string, data: Record<string, unknown>): Promise<void> {
      const event = parseOrThrow(
        AgentEvent,
        {
          v: 1,
          id: randomUUID(),
          brain: deps.brain,
          agent: deps.agent,
          kind,
          taskId: record.id,
          at: new Date().toISOString(),
          data,
        },
        'agent event',
      );
      await deps.events.publish(event);
    },
    requireInput(reason: string): never {
      throw new InputRequiredSignal(reason);
    },
  };
}
