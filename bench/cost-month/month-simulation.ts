import type { BrainRouter } from './brain-router.js';
import { planRun } from './call-plan.js';
import type { ScheduledRun, Timeline } from './schedule.js';
import type { SimulatedAgents, TaskOutcome } from './simulated-agents.js';

/** A task of the simulated month and how it ended; no outcome: counted, not routed (see `simulateMonth`). */
export interface SimulatedTask {
  typeId: string;
  /** 1-based simulated day. */
  day: number;
  outcome?: TaskOutcome;
}

export interface MonthProgress {
  day: number;
  tasks: number;
  routed: number;
  costMicros: number;
}

/** Bounds the wait for one slot's tasks: a task lost between router and agents fails the run loudly. */
const SLOT_TIMEOUT_MS = 120_000;

/**
 * Runs the month slot by slot through the real router: the runs in a slot are published (one
 * task per `tasksPerRun`), the slot ends when each of its tasks has ended, and the router's
 * write-behind ledger is flushed, so the next slot's routing decisions and budget admissions see
 * every cent spent so far. Slots keep the backlog near a real day's (a whole month published at
 * once would trip the router's backlog rule and show nothing of budgets filling up).
 *
 * With `sampleTool`, day 1 is routed in full; from day 2 on, a task type whose every day-1 task
 * the router sent to `tool` (no model, $0, never blocked by a budget) has only its first run of
 * each day routed, as a daily check that it still goes to `tool` as budgets fill; its other runs
 * are counted, not routed. If a checked run ever comes back on a model tier, that type is routed
 * in full from then on. Every task that may call a model is routed, every day.
 */
export async function simulateMonth(opts: {
  brain: BrainRouter;
  agents: SimulatedAgents;
  timeline: Timeline;
  sampleTool: boolean;
  onDay?: (progress: MonthProgress) => void;
}): Promise<SimulatedTask[]> {
  const { brain, agents, timeline } = opts;
  const slotsPerDay = Math.round(1440 / timeline.slotMinutes);
  const done: SimulatedTask[] = [];
  const toolOnDayOne = new Map<string, boolean>();
  const sampled = new Set<string>();
  const checkedToday = new Set<string>();
  let costMicros = 0;
  let routed = 0;
  for (const [index, slot] of timeline.slots.entries()) {
    const day = Math.floor(index / slotsPerDay) + 1;
    const ended: Promise<SimulatedTask>[] = [];
    for (const scheduled of slot) {
      const counted =
        opts.sampleTool && day > 1 && sampled.has(scheduled.task.id) && checkedToday.has(scheduled.task.id);
      checkedToday.add(scheduled.task.id);
      ended.push(...(counted ? countRun(scheduled, day) : routeRun(agents, scheduled, day)));
    }
    const results = await withTimeout(Promise.all(ended), SLOT_TIMEOUT_MS, () => {
      return `day ${day}, slot ${index}: ${agents.inFlight} of ${ended.length} tasks did not end within ${SLOT_TIMEOUT_MS} ms`;
    });
    for (const r of results) {
      done.push(r);
      if (!r.outcome) continue;
      routed += 1;
      const tool = r.outcome.kind === 'tool';
      if (day === 1) toolOnDayOne.set(r.typeId, (toolOnDayOne.get(r.typeId) ?? true) && tool);
      else if (!tool) sampled.delete(r.typeId);
      if (r.outcome.kind !== 'tool' && r.outcome.kind !== 'held') costMicros += r.outcome.costMicros;
    }
    await brain.router.ledger.flush();
    if ((index + 1) % slotsPerDay === 0 || index === timeline.slots.length - 1) {
      if (day === 1) for (const [typeId, tool] of toolOnDayOne) if (tool) sampled.add(typeId);
      checkedToday.clear();
      opts.onDay?.({ day, tasks: done.length, routed, costMicros });
    }
  }
  return done;
}

function routeRun(agents: SimulatedAgents, scheduled: ScheduledRun, day: number): Promise<SimulatedTask>[] {
  const { task, run } = scheduled;
  // The run's calls happen at its scheduled minute of the simulated month.
  return planRun(task).map((calls) =>
    agents
      .submit({
        typeId: task.id,
        skill: task.skill,
        purpose: task.purpose,
        scale: 1,
        run,
        minute: scheduled.minute,
        calls,
      })
      .then((outcome) => ({ typeId: task.id, day, outcome })),
  );
}

function countRun(scheduled: ScheduledRun, day: number): Promise<SimulatedTask>[] {
  return Array.from({ length: scheduled.task.batch.tasksPerRun }, () =>
    Promise.resolve({ typeId: scheduled.task.id, day }),
  );
}

/** Resolves with `promise`, or rejects with `message()` after `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message())), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
