import { INTERRUPTED_STATES, TERMINAL_STATES } from '@forge/contracts';
import { FORGE_METRICS, forgeMeter } from '@forge/telemetry';
import type { StatusPublisher } from '../ports/ports.js';

/**
 * The status publisher with `forge.tasks` counted on the way: one per task that reaches a final
 * or interrupted state, by `forge.task.state`, `forge.skill` and `forge.agent`. Counted where the
 * one writer of a task announces its committed change, so each transition counts once (progress
 * lines and new attempts, `working → working`, are not states reached).
 */
export function meteredStatusPublisher(inner: StatusPublisher, agent: string): StatusPublisher {
  const { tasks } = FORGE_METRICS;
  const counter = forgeMeter('agent-kit').createCounter(tasks.name, {
    unit: tasks.unit,
    description: tasks.description,
  });
  return {
    publish(record, artifact) {
      inner.publish(record, artifact);
      if (TERMINAL_STATES.has(record.state) || INTERRUPTED_STATES.has(record.state)) {
        counter.add(1, {
          'forge.task.state': record.state,
          'forge.skill': record.skill,
          'forge.agent': agent,
        });
      }
    },
  };
}

/**
 * `forge.tasks.in_flight`: the tasks this process's worker runs, read at each collection.
 * Returns the function that stops observing (call it on stop).
 */
export function observeTasksInFlight(agent: string, inFlight: () => number): () => void {
  const { tasksInFlight } = FORGE_METRICS;
  const gauge = forgeMeter('agent-kit').createObservableGauge(tasksInFlight.name, {
    unit: tasksInFlight.unit,
    description: tasksInFlight.description,
  });
  const callback = (result: { observe(value: number, attributes: Record<string, string>): void }) =>
    result.observe(inFlight(), { 'forge.agent': agent });
  gauge.addCallback(callback);
  return () => gauge.removeCallback(callback);
}
