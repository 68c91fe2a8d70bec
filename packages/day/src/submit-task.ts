import { randomUUID } from 'node:crypto';
import type { Bus } from '@forge/bus';
import {
  HEADERS,
  type Origin,
  type SkillRef,
  splitSkillRef,
  TASK_ENVELOPE_VERSION,
  TaskEnvelope,
} from '@forge/contracts';
import type { TaskRepository } from '@forge/store';

/** Hands a new task to another agent (or the router); see {@link createTaskSubmitter}. */
export interface TaskSubmitter {
  /**
   * Creates the task (idempotent on `idempotencyKey`: the same hand-off again finds the first
   * task and publishes it again under the same msgId, which JetStream drops within its window and
   * the worker drops after it) and publishes it. Returns the task's id.
   */
  submit(task: {
    skill: SkillRef;
    input: unknown;
    origin: Origin;
    idempotencyKey: string;
    parentId?: string | undefined;
    contextId?: string;
  }): Promise<{ taskId: string; created: boolean }>;
}

/**
 * A submitter over the brain's task table and bus: `router` dispatch publishes to `task.route`
 * (the router stamps a tier and books the decision), `direct` to the agent's run subject.
 * The record is written before the publish, so whoever consumes the envelope finds it.
 */
export function createTaskSubmitter(deps: {
  tasks: TaskRepository;
  bus: Bus;
  dispatch: 'direct' | 'router';
}): TaskSubmitter {
  return {
    async submit(task) {
      const envelope = TaskEnvelope.parse({
        v: TASK_ENVELOPE_VERSION,
        id: randomUUID(),
        skill: task.skill,
        input: task.input,
        origin: task.origin,
        idempotencyKey: task.idempotencyKey,
        contextId: task.contextId ?? `ctx-${task.idempotencyKey}`.slice(0, 200),
        createdAt: new Date().toISOString(),
        ...(task.parentId ? { parentId: task.parentId } : {}),
      });
      const { record, created } = await deps.tasks.create(envelope);
      const stored: TaskEnvelope = { ...envelope, id: record.id, createdAt: record.createdAt };
      const subject =
        deps.dispatch === 'router'
          ? deps.bus.subjects.taskRoute
          : deps.bus.subjects.taskRun(splitSkillRef(task.skill).agent);
      await deps.bus.publish(subject, TaskEnvelope, stored, {
        msgId: `${deps.dispatch === 'router' ? 'route' : 'run'}:${record.id}`,
        headers: { [HEADERS.taskId]: record.id },
      });
      return { taskId: record.id, created };
    },
  };
}
