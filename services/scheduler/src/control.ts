import { randomUUID } from 'node:crypto';
import type { Bus } from '@forge/bus';
import {
  ForgeError,
  SCHEDULER_CONTROL_VERSION,
  SchedulerControlReply,
  SchedulerControlRequest,
  type ScheduleView,
} from '@forge/contracts';
import type { ScheduleRepository } from '@forge/store';
import type { SchedulerClock } from './clock.js';
import { type SubmitDeps, submitRun } from './run-submitter.js';
import type { Schedule, Schedules } from './schedules-config.js';
import type { SkillCatalog } from './skill-catalog.js';
import type { TickLoop } from './tick-loop.js';
import { runView, scheduleView } from './views.js';

export interface ControlDeps {
  bus: Bus;
  schedules: Schedules;
  clock: SchedulerClock;
  runs: ScheduleRepository;
  catalog: SkillCatalog;
  submit: SubmitDeps;
  loop: TickLoop;
}

function find(schedules: Schedules, name: string): Schedule {
  const schedule = schedules.byName.get(name);
  if (!schedule) {
    throw new ForgeError(
      'NOT_FOUND',
      `no schedule "${name}"; known: ${[...schedules.byName.keys()].join(', ')}`,
      {
        retryable: false,
        details: { field: 'name' },
      },
    );
  }
  return schedule;
}

async function views(deps: ControlDeps, only?: string): Promise<ScheduleView[]> {
  const { schedules, clock, runs, catalog } = deps;
  const [last, pauses, latest, skills] = await Promise.all([
    runs.lastTicks(clock.id),
    runs.pauses(),
    runs.latestRuns(),
    catalog.skills(),
  ]);
  const now = clock.now();
  return schedules.list
    .filter((s) => only === undefined || s.name === only)
    .map((s) =>
      scheduleView(s, {
        now,
        lastTick: last.get(s.name),
        pause: pauses.get(s.name),
        lastRun: latest.get(s.name),
        manifest: skills.get(s.skill) ?? null,
      }),
    );
}

/**
 * Answers `forge schedule list|run|pause|resume` on `forge.<brain>.scheduler.control` (request/
 * reply; replicas share a queue group and the state is in Postgres, so any of them answers). A
 * manual run is one more run of the schedule, recorded `manual`, under the same overlap rule.
 */
export function serveControl(deps: ControlDeps): { ready: Promise<void>; stop(): Promise<void> } {
  const { bus, schedules, clock, runs } = deps;
  return bus.serve(
    bus.subjects.schedulerControl,
    SchedulerControlRequest,
    SchedulerControlReply,
    async (req) => {
      const v = SCHEDULER_CONTROL_VERSION as typeof SCHEDULER_CONTROL_VERSION;
      switch (req.op) {
        case 'list':
          return {
            v,
            op: 'list' as const,
            clock: clock.label,
            now: clock.now().toISOString(),
            schedules: await views(deps),
          };
        case 'run': {
          const schedule = find(schedules, req.name);
          deps.catalog.refresh();
          const id = randomUUID();
          const tickAt = clock.now();
          await runs.insertManualRun({
            id,
            schedule: schedule.name,
            clock: clock.id,
            tickAt: tickAt.toISOString(),
          });
          await deps.loop.track(id, submitRun(deps.submit, schedule, { id, tickAt, trigger: 'manual' }));
          const run = (await runs.runs(schedule.name, 20)).find((r) => r.id === id);
          if (!run) throw new ForgeError('INTERNAL', `manual run ${id} was not recorded`);
          const [view] = await views(deps, schedule.name);
          return { v, op: 'run' as const, schedule: view!, run: runView(run) };
        }
        case 'pause': {
          find(schedules, req.name);
          await runs.pause(req.name, req.by, req.reason);
          const [view] = await views(deps, req.name);
          return { v, op: 'pause' as const, schedule: view! };
        }
        case 'resume': {
          find(schedules, req.name);
          await runs.resume(req.name);
          deps.loop.wake();
          const [view] = await views(deps, req.name);
          return { v, op: 'resume' as const, schedule: view! };
        }
      }
    },
  );
}
