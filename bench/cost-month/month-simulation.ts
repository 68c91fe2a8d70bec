import type { BrainRouter } from './brain-router.js';
import { planRun } from './call-plan.js';
import type { Timeline } from './schedule.js';
import type { SimulatedAgents, TaskOutcome } from './simulated-agents.js';

/** A task of the simulated month and how it ended. */
export interface SimulatedTask {
  typeId: string;
  /** 1-based simulated day. */
  day: number;
  outcome: TaskOutcome;
}

export interface MonthProgress {
  day: number;
  tasks: number;
  costMicros: number;
}

/** Bounds the wait for one slot's tasks: a task lost between router and agents fails the run loudly. */
const SLOT_TIMEOUT_MS = 120_000;

/**
 * Runs the month slot by slot through the real router: every run of every task type in the slot
 * is published (one task per `tasksPerRun`), the slot ends when each of its tasks has ended, and
 * the router's write-behind ledger is flushed, so the next slot's routing decisions and budget
 * admissions see every cent spent so far. Slots keep the backlog near a real day's (a whole month
 * published at once would trip the router's backlog rule and show nothing of budgets filling up).
 */
export async function simulateMonth(opts: {
  brain: BrainRouter;
  agents: SimulatedAgents;
  timeline: Timeline;
  onDay?: (progress: MonthProgress) => void;
}): Promise<SimulatedTask[]> {
  const { brain, agents, timeline } = opts;
  const slotsPerDay = Math.round(1440 / timeline.slotMinutes);
  const done: SimulatedTask[] = [];
  let costMicros = 0;
  for (const [index, slot] of timeline.slots.entries()) {
    const day = Math.floor(index / slotsPerDay) + 1;
    const ended: Promise<SimulatedTask>[] = [];
    for (const scheduled of slot) {
      const { task, run } = scheduled;
      for (const calls of planRun(task)) {
        const outcome = agents.submit({
          typeId: task.id,
          skill: task.skill,
          purpose: task.purpose,
          scale: 1,
          run,
          calls,
        });
        ended.push(outcome.then((o) => ({ typeId: task.id, day, outcome: o })));
      }
    }
    const results = await withTimeout(Promise.all(ended), SLOT_TIMEOUT_MS, () => {
      return `day ${day}, slot ${index}: ${agents.inFlight} of ${ended.length} tasks did not end within ${SLOT_TIMEOUT_MS} ms`;
    });
    for (const r of results) {
      done.push(r);
      if (r.outcome.kind !== 'tool' && r.outcome.kind !== 'held') costMicros += r.outcome.costMicros;
    }
    await brain.router.ledger.flush();
    if ((index + 1) % slotsPerDay === 0 || index === timeline.slots.length - 1) {
      opts.onDay?.({ day, tasks: done.length, costMicros });
    }
  }
  return done;
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
