import {
  ForgeError,
  isForgeError,
  type ScheduleRunOutcome,
  type ScheduleRunTrigger,
  type TaskEnvelope,
} from '@forge/contracts';
import type { ScheduleRepository, TaskRepository } from '@forge/store';
import { type Logger, withSpan } from '@forge/telemetry';
import type { SchedulerClock } from './clock.js';
import type { Schedule } from './schedules-config.js';
import type { SkillCatalog } from './skill-catalog.js';
import { buildTickInput, type HttpGet } from './tick-input.js';

export interface SubmitDeps {
  brain: string;
  clock: SchedulerClock;
  runs: ScheduleRepository;
  tasks: TaskRepository;
  catalog: SkillCatalog;
  /** Publishes the envelope to `task.route` (msgId = task id). */
  dispatch(envelope: TaskEnvelope): Promise<void>;
  logger: Logger;
  get?: HttpGet;
  signal?: AbortSignal;
  /** Schedules already reported as waiting for their skill: later skips are logged at debug only. */
  waiting?: Set<string>;
}

/** One claimed run: its row id is also its task's id, so a retried submission makes the same task. */
export interface ClaimedRun {
  id: string;
  tickAt: Date;
  trigger: ScheduleRunTrigger;
}

export interface RunResult {
  outcome: Exclude<ScheduleRunOutcome, 'pending'>;
  reason?: string;
  taskId?: string;
}

/** Shortest deadline a scheduled task gets, in real time (a fast day divides timeouts by its speed). */
const MIN_DEADLINE_MS = 60_000;

/** The idempotency key of a run's task: one task per tick of a schedule on a clock, or per manual run. */
export function runIdempotencyKey(clockId: string, schedule: string, run: ClaimedRun): string {
  return run.trigger === 'manual'
    ? `schedule:manual:${schedule}:${run.id}`
    : `schedule:${clockId}:${schedule}:${run.tickAt.toISOString()}`;
}

async function decide(
  deps: SubmitDeps,
  schedule: Schedule,
  run: ClaimedRun,
): Promise<RunResult | TaskEnvelope> {
  const manifest = await deps.catalog.get(schedule.skill);
  if (!manifest) {
    return {
      outcome: 'skipped-missing-skill',
      reason: `skill ${schedule.skill} is not registered: no running agent offers it (yet)`,
    };
  }
  if (schedule.overlap === 'skip') {
    const open = await deps.runs.openRun(schedule.name);
    if (open && open.taskId !== run.id) {
      return {
        outcome: 'skipped-overlap',
        reason: `the run of ${open.tickAt} (task ${open.taskId}) is still ${open.taskState}`,
      };
    }
  }
  let input: Record<string, unknown>;
  try {
    const previous = schedule.inputFrom?.mentions
      ? await deps.runs.previousWindowEnd(schedule.name, deps.clock.id, run.tickAt.toISOString())
      : null;
    const built = await buildTickInput(schedule, run.tickAt, {
      since: previous ? new Date(previous) : null,
      ...(deps.get ? { get: deps.get } : {}),
      ...(deps.signal ? { signal: deps.signal } : {}),
    });
    if ('nothing' in built) return { outcome: 'skipped-no-input', reason: built.nothing };
    input = built.input;
  } catch (error) {
    if (!isForgeError(error, 'BAD_INPUT')) throw error;
    return { outcome: 'failed-input', reason: error.message };
  }
  const now = Date.now();
  return {
    v: 1,
    id: run.id,
    skill: schedule.skill,
    input,
    origin: { kind: 'schedule', brain: deps.brain, by: `schedule:${schedule.name}` },
    idempotencyKey: runIdempotencyKey(deps.clock.id, schedule.name, run),
    contextId: `schedule:${schedule.name}`,
    deadline: new Date(
      now + Math.max(deps.clock.realSpan(schedule.timeoutMinutes * 60_000), MIN_DEADLINE_MS),
    ).toISOString(),
    createdAt: new Date(now).toISOString(),
  };
}

/**
 * Submits one claimed run: checks the skill is registered and (unless the schedule allows overlap)
 * that its previous run has ended, builds the input, creates the task (origin `schedule`) and
 * publishes it to the router, then records the outcome. Every step is idempotent (the task id is
 * the run id, its key names the tick, the publish is de-duplicated by task id), so a run another
 * replica left pending is finished by calling this again. A transient failure (NATS or Postgres
 * away) throws and leaves the run pending for that recovery; anything else is recorded.
 */
export function submitRun(deps: SubmitDeps, schedule: Schedule, run: ClaimedRun): Promise<RunResult> {
  // A tick starts its trace here (a manual run continues the control request's): the task's
  // publish, the router, the worker and the model gateway all join it.
  return withSpan(
    `schedule ${schedule.name}`,
    async (span) => {
      const result = await submitRunInTrace(deps, schedule, run);
      span.setAttribute('forge.schedule.outcome', result.outcome);
      if (result.taskId) span.setAttribute('forge.task.id', result.taskId);
      return result;
    },
    {
      attributes: {
        'forge.schedule.name': schedule.name,
        'forge.schedule.trigger': run.trigger,
        'forge.schedule.tick_at': run.tickAt.toISOString(),
        'forge.skill': schedule.skill,
      },
    },
  );
}

async function submitRunInTrace(deps: SubmitDeps, schedule: Schedule, run: ClaimedRun): Promise<RunResult> {
  const logger = deps.logger.child({
    schedule: schedule.name,
    runId: run.id,
    tickAt: run.tickAt.toISOString(),
  });
  let result: RunResult;
  try {
    const decided = await decide(deps, schedule, run);
    if ('outcome' in decided) {
      result = decided;
    } else {
      const { record } = await deps.tasks.create(decided);
      if (record.id !== decided.id)
        throw new ForgeError('CONFLICT', `tick already has task ${record.id}`, { retryable: false });
      await deps.dispatch(decided);
      result = { outcome: 'submitted', taskId: decided.id };
    }
  } catch (error) {
    if (isForgeError(error) && !error.retryable) {
      result = { outcome: 'failed-submit', reason: error.message };
    } else {
      logger.warn(
        { err: (error as Error).message },
        'run not submitted yet; it stays pending and is retried',
      );
      throw error;
    }
  }
  await deps.runs.finishRun(run.id, result.outcome, {
    ...(result.reason ? { reason: result.reason } : {}),
    ...(result.taskId ? { taskId: result.taskId } : {}),
  });
  const fields = {
    skill: schedule.skill,
    trigger: run.trigger,
    outcome: result.outcome,
    taskId: result.taskId,
    reason: result.reason,
  };
  if (result.outcome === 'skipped-missing-skill') {
    // Said once (and at start-up): a schedule waiting for a skill would otherwise warn every tick.
    if (deps.waiting?.has(schedule.name)) logger.debug(fields, `${schedule.name}: ${result.outcome}`);
    else
      logger.warn(
        fields,
        `${schedule.name}: waits for skill ${schedule.skill}; its ticks are skipped and recorded until an agent offers it`,
      );
    deps.waiting?.add(schedule.name);
    return result;
  }
  if (deps.waiting?.delete(schedule.name))
    logger.info(fields, `${schedule.name}: skill ${schedule.skill} is registered now`);
  if (result.outcome === 'submitted') logger.info(fields, `${schedule.name}: ${run.trigger} submitted`);
  else if (result.outcome === 'skipped-no-input') logger.debug(fields, `${schedule.name}: ${result.reason}`);
  else logger.warn(fields, `${schedule.name}: ${result.outcome}`);
  return result;
}
