import type { TaskEnvelope } from '@forge/contracts';
import { FORGE_METRICS, forgeMeter, withSpan } from '@forge/telemetry';
import type { Counter } from '@opentelemetry/api';
import type { TaskRouting } from './task-router.js';

/**
 * What an operator sees of routing: one span per decision and the counts by tier.
 *
 * - span `route <agent>.<skill>` with `forge.tier`, `forge.model`, `forge.route.rule` (the step
 *   that set the final tier), `forge.route.reasons`, `forge.budget.action`, `forge.policy.version`,
 *   `forge.route.status` and `forge.route.reused` (a redelivery gets its stored decision back);
 * - `forge.tasks.routed` by tier, agent, skill, status and budget action, once per decision made;
 * - `forge.tasks` for the tasks the router itself rejects (unknown skill, budget).
 */
export class RouteTelemetry {
  readonly #routed: Counter;
  readonly #tasks: Counter;

  constructor() {
    const meter = forgeMeter('router');
    const { tasksRouted, tasks } = FORGE_METRICS;
    this.#routed = meter.createCounter(tasksRouted.name, {
      unit: tasksRouted.unit,
      description: tasksRouted.description,
    });
    this.#tasks = meter.createCounter(tasks.name, { unit: tasks.unit, description: tasks.description });
  }

  /** Runs `route` (the task's routing) inside the decision's span and counts a new decision. */
  traced(task: TaskEnvelope, route: () => Promise<TaskRouting>): Promise<TaskRouting> {
    return withSpan(
      `route ${task.skill}`,
      async (span) => {
        const routing = await route();
        if (routing.kind === 'unknown-skill') {
          span.setAttributes({ 'forge.route.status': 'unknown-skill', 'forge.route.rule': routing.reason });
          return routing;
        }
        const { record, reused } = routing;
        const { decision } = record;
        const action = typeof record.budget.action === 'string' ? record.budget.action : 'none';
        span.setAttributes({
          'forge.agent': record.agent,
          'forge.tier': decision.tier,
          'forge.model': decision.model ?? 'none',
          'forge.route.rule': decision.reasons.at(-1) ?? '',
          'forge.route.reasons': decision.reasons,
          'forge.route.critical': record.critical,
          'forge.route.status': record.status,
          'forge.route.reused': reused,
          'forge.budget.action': action,
          'forge.policy.version': decision.policyVersion,
        });
        if (!reused) {
          this.#routed.add(1, {
            'forge.tier': decision.tier,
            'forge.agent': record.agent,
            'forge.skill': task.skill,
            'forge.route.status': record.status,
            'forge.budget.action': action,
          });
        }
        return routing;
      },
      { attributes: { 'forge.task.id': task.id, 'forge.skill': task.skill } },
    );
  }

  /** A task (`skill` is `<agent>.<skill>`) the router rejected, once the rejection committed. */
  rejected(skill: string): void {
    this.#tasks.add(1, {
      'forge.task.state': 'rejected',
      'forge.skill': skill,
      'forge.agent': skill.split('.', 1)[0]!,
    });
  }
}
