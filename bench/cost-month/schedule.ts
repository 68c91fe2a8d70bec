import { durationMinutes, type Workload, type WorkloadTask } from './workload.js';

const DAY_MINUTES = 1440;
const WEEK_MINUTES = 7 * DAY_MINUTES;

/** The interval between two runs of a task type, in minutes (fractional for counts that do not divide). */
export function intervalMinutes(runs: WorkloadTask['runs']): number {
  if (runs.every !== undefined) return durationMinutes(runs.every);
  if (runs.perDay !== undefined) return DAY_MINUTES / runs.perDay;
  return WEEK_MINUTES / runs.perWeek!;
}

/**
 * When a task type runs in a simulated period of `days`, in minutes from its start: at the middle
 * of each interval (`every: 30m` → :15 and :45; `perWeek: 1` → days 3.5, 10.5, 17.5, 24.5), so a
 * 30-day month holds 1,440 half-hourly runs, 30 daily ones and 4 weekly ones (30 / 7 rounded to
 * the runs that fit). Deterministic: the same file always gives the same month.
 */
export function runTimes(task: WorkloadTask, days: number): number[] {
  const interval = intervalMinutes(task.runs);
  const end = days * DAY_MINUTES;
  const times: number[] = [];
  for (let t = interval / 2; t < end; t += interval) times.push(t);
  return times;
}

/** One run of one task type in the simulated month. */
export interface ScheduledRun {
  task: WorkloadTask;
  /** 0-based run number of this task type. */
  run: number;
  /** Minutes from the start of the month. */
  minute: number;
}

/** The month cut into slots of `slotMinutes`, each with the runs that start in it, in time order. */
export interface Timeline {
  slotMinutes: number;
  slots: ScheduledRun[][];
  /** Runs per task type id over the whole period. */
  runsPerType: Map<string, number>;
}

export function buildTimeline(workload: Workload, days: number, slotMinutes: number): Timeline {
  const slots: ScheduledRun[][] = Array.from(
    { length: Math.ceil((days * DAY_MINUTES) / slotMinutes) },
    () => [],
  );
  const runsPerType = new Map<string, number>();
  for (const task of workload.tasks) {
    const times = runTimes(task, days);
    runsPerType.set(task.id, times.length);
    times.forEach((minute, run) => {
      slots[Math.floor(minute / slotMinutes)]!.push({ task, run, minute });
    });
  }
  for (const slot of slots) slot.sort((a, b) => a.minute - b.minute);
  return { slotMinutes, slots, runsPerType };
}
