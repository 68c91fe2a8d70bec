import type { ScheduleRunView, ScheduleView, SkillManifest } from '@forge/contracts';
import type { SchedulePause, ScheduleRunRecord } from '@forge/store';
import type { Schedule } from './schedules-config.js';

export function runView(run: ScheduleRunRecord): ScheduleRunView {
  return {
    tickAt: run.tickAt,
    trigger: run.trigger,
    outcome: run.outcome,
    reason: run.reason,
    taskId: run.taskId,
    state: run.taskState,
    tier: run.tier,
    error: run.error ? { code: String(run.error.code), message: String(run.error.message) } : null,
    createdAt: run.createdAt,
    updatedAt: run.taskUpdatedAt,
  };
}

/** What `forge schedule list` shows of one schedule, as of `now` on the scheduler's clock. */
export function scheduleView(
  schedule: Schedule,
  state: {
    now: Date;
    lastTick: string | undefined;
    pause: SchedulePause | undefined;
    lastRun: ScheduleRunRecord | undefined;
    manifest: SkillManifest | null;
  },
): ScheduleView {
  const from = state.lastTick && new Date(state.lastTick) > state.now ? new Date(state.lastTick) : state.now;
  const next = state.pause || !schedule.enabled ? null : schedule.cronSchedule.nextAfter(from);
  return {
    name: schedule.name,
    description: schedule.description,
    cron: schedule.cron,
    timeZone: schedule.timeZone,
    skill: schedule.skill,
    tier: state.manifest?.tierHint ?? null,
    skillRegistered: state.manifest !== null,
    paused: state.pause !== undefined,
    pausedBy: state.pause?.pausedBy ?? null,
    pausedAt: state.pause?.pausedAt ?? null,
    nextRunAt: next ? next.toISOString() : null,
    lastRun: state.lastRun ? runView(state.lastRun) : null,
  };
}
