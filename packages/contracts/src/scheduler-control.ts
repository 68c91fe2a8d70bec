import { z } from 'zod';
import { SkillRef } from './names.js';
import { TaskState } from './task-state.js';
import { Tier } from './tier.js';

export const SCHEDULER_CONTROL_VERSION = 1;

/** A schedule's name: kebab-case, used in task origins (`schedule:<name>`) and idempotency keys. */
export const ScheduleName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,62}$/, 'must be 1-63 of a-z, 0-9, - and start with a letter');
export type ScheduleName = z.infer<typeof ScheduleName>;

/** Who asks (the CLI sends the operator's principal); recorded with pauses and manual runs. */
const By = z.string().min(1).max(200);

/**
 * A request to the scheduler on `forge.<brain>.scheduler.control` (core NATS request/reply; any
 * replica answers, the state lives in Postgres).
 */
export const SchedulerControlRequest = z.discriminatedUnion('op', [
  z.object({ v: z.literal(SCHEDULER_CONTROL_VERSION), op: z.literal('list') }),
  z.object({ v: z.literal(SCHEDULER_CONTROL_VERSION), op: z.literal('run'), name: ScheduleName, by: By }),
  z.object({
    v: z.literal(SCHEDULER_CONTROL_VERSION),
    op: z.literal('pause'),
    name: ScheduleName,
    by: By,
    reason: z.string().max(500).optional(),
  }),
  z.object({ v: z.literal(SCHEDULER_CONTROL_VERSION), op: z.literal('resume'), name: ScheduleName, by: By }),
]);
export type SchedulerControlRequest = z.infer<typeof SchedulerControlRequest>;

/** What happened at one tick (or manual run) of a schedule. */
export const ScheduleRunOutcome = z.enum([
  /** Claimed, its task not yet on the bus (a replica that died here leaves it for another to finish). */
  'pending',
  /** A task was submitted through the router; its state says how it went. */
  'submitted',
  /** The previous run's task was still going: not doubled. */
  'skipped-overlap',
  /** The skill is not in the registry (its agent is not running, or not built yet). */
  'skipped-missing-skill',
  /** Its input source had nothing for this tick (no new mention): no task, nothing to do. */
  'skipped-no-input',
  /** The input could not be built (its source failed) or failed validation. */
  'failed-input',
  /** NATS or Postgres refused the submission. */
  'failed-submit',
]);
export type ScheduleRunOutcome = z.infer<typeof ScheduleRunOutcome>;

export const ScheduleRunTrigger = z.enum(['tick', 'catch-up', 'manual']);
export type ScheduleRunTrigger = z.infer<typeof ScheduleRunTrigger>;

export const ScheduleRunView = z.object({
  /** The tick it belongs to (for a manual run, when it was asked). */
  tickAt: z.iso.datetime(),
  trigger: ScheduleRunTrigger,
  outcome: ScheduleRunOutcome,
  /** Why it was skipped or failed; null when submitted. */
  reason: z.string().nullable(),
  taskId: z.uuid().nullable(),
  /** The task's state now (null when no task was submitted). */
  state: TaskState.nullable(),
  /** The tier the router gave it, once routed. */
  tier: Tier.nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  createdAt: z.iso.datetime(),
  /** When the task last changed state (its end, once it ended). */
  updatedAt: z.iso.datetime().nullable(),
});
export type ScheduleRunView = z.infer<typeof ScheduleRunView>;

export const ScheduleView = z.object({
  name: ScheduleName,
  description: z.string(),
  cron: z.string(),
  timeZone: z.string(),
  skill: SkillRef,
  /** The tier the skill declares (its registry entry), or null while the skill is missing. */
  tier: Tier.nullable(),
  /** False while no agent has registered the skill: ticks are skipped and say so. */
  skillRegistered: z.boolean(),
  paused: z.boolean(),
  pausedBy: z.string().nullable(),
  pausedAt: z.iso.datetime().nullable(),
  /** The next tick on the scheduler's clock (null when paused or the cron never fires again). */
  nextRunAt: z.iso.datetime().nullable(),
  lastRun: ScheduleRunView.nullable(),
});
export type ScheduleView = z.infer<typeof ScheduleView>;

export const SchedulerControlReply = z.discriminatedUnion('op', [
  z.object({
    v: z.literal(SCHEDULER_CONTROL_VERSION),
    op: z.literal('list'),
    /** `real`, or `fast ×N` for a compressed day. */
    clock: z.string(),
    now: z.iso.datetime(),
    schedules: z.array(ScheduleView),
  }),
  z.object({
    v: z.literal(SCHEDULER_CONTROL_VERSION),
    op: z.literal('run'),
    schedule: ScheduleView,
    run: ScheduleRunView,
  }),
  z.object({ v: z.literal(SCHEDULER_CONTROL_VERSION), op: z.literal('pause'), schedule: ScheduleView }),
  z.object({ v: z.literal(SCHEDULER_CONTROL_VERSION), op: z.literal('resume'), schedule: ScheduleView }),
]);
export type SchedulerControlReply = z.infer<typeof SchedulerControlReply>;
