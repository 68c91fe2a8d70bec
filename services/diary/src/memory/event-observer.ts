import type { Bus, TaskConsumer } from '@forge/bus';
import { AgentEvent } from '@forge/contracts';
import type { PgDiaryRepository } from '@forge/store';
import type { Logger } from '@forge/telemetry';
import { isNotable, observationText } from './observation-text.js';

/** The diary's durable consumer of every agent event of the brain. */
export const OBSERVER_CONSUMER = 'diary-observations';

/**
 * Every agent's notable events become observations: a durable consumer over the EVENTS stream
 * keeps those the day config lists, once per event id (a redelivery adds nothing).
 */
export function eventObserver(deps: {
  bus: Bus;
  diary: PgDiaryRepository;
  notable: readonly string[];
  logger: Logger;
}): TaskConsumer {
  const { bus } = deps;
  return bus.consumer({
    stream: bus.subjects.streams.events.name,
    durable: OBSERVER_CONSUMER,
    filterSubject: bus.subjects.eventAll,
    schema: AgentEvent,
    concurrency: 4,
    handler: async (event) => {
      if (!isNotable(event, deps.notable)) return;
      const tags = Array.isArray(event.data.tags)
        ? event.data.tags.filter((t): t is string => typeof t === 'string')
        : [];
      await deps.diary.observe({
        id: event.id,
        agent: event.agent,
        kind: event.kind,
        taskId: event.taskId ?? null,
        at: event.at,
        text: observationText(event),
        tags: tags.slice(0, 20),
        data: event.data,
      });
    },
  });
}
