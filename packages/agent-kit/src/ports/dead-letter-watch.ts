import type { Bus, TaskConsumer } from '@forge/bus';
import { HEADERS, isForgeError, isTerminal } from '@forge/contracts';
import type { TaskRepository } from '@forge/store';
import type { Logger } from '@forge/telemetry';
import { z } from 'zod';
import type { StatusPublisher } from './ports.js';

/** Only the id matters here; anything else about a dead letter may be why it died. */
const DeadTask = z.object({ id: z.uuid() }).loose();

/**
 * The safety net under the worker's own failure handling: reads the agent's dead letters and
 * ends each task still open as `failed` with the bus's reason. The worker already fails a task
 * before the bus dead-letters it for a non-retryable error or on its last delivery; this covers
 * the rest — a worker that crashed on the last allowed delivery, whose message the bus then
 * dead-letters without running it ("over-delivered"). Idempotent: an ended task is left alone.
 */
export function watchDeadLetters(deps: {
  bus: Bus;
  agent: string;
  tasks: TaskRepository;
  publisher: StatusPublisher;
  logger: Logger;
}): TaskConsumer {
  const { bus, agent, tasks, publisher, logger } = deps;
  const subjects = bus.subjects;
  return bus.consumer({
    stream: subjects.streams.deadLetter.name,
    durable: `${subjects.consumers.agent(agent)}-dead`,
    filterSubject: subjects.deadLetter(subjects.taskRun(agent)),
    schema: z.unknown(),
    concurrency: 1,
    async handler(value, ctx) {
      const parsed = DeadTask.safeParse(value);
      if (!parsed.success) return; // not a task envelope: nothing to end
      const record = await tasks.get(parsed.data.id);
      if (!record || isTerminal(record.state)) return;
      const code = ctx.headers[HEADERS.deadCode] ?? 'INTERNAL';
      const reason = ctx.headers[HEADERS.deadReason] ?? 'dead-lettered';
      try {
        const failed = await tasks.transition(record.id, {
          to: 'failed',
          from: [record.state],
          error: { code, message: reason },
        });
        publisher.publish(failed);
        logger.warn({ taskId: record.id, code }, 'dead-lettered task failed');
      } catch (error) {
        if (!isForgeError(error, 'ILLEGAL_TRANSITION')) throw error;
      }
    },
  });
}
