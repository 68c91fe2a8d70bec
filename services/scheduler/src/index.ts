export { fastClock, realClock, type SchedulerClock } from './clock.js';
export {
  DEFAULT_SCHEDULES_PATH,
  loadSchedulerConfig,
  SCHEDULER_ENV_VARIABLES,
  type SchedulerConfig,
} from './config.js';
export { CronSchedule } from './cron.js';
export { runIdempotencyKey, submitRun } from './run-submitter.js';
export {
  createSchedulerService,
  type SchedulerService,
  type SchedulerServiceDeps,
} from './scheduler-service.js';
export {
  loadSchedules,
  parseSchedules,
  type Schedule,
  type Schedules,
  SchedulesFile,
} from './schedules-config.js';
export { SkillCatalog } from './skill-catalog.js';
export { buildTickInput, fillTickTokens, type TickInput } from './tick-input.js';
export { TickLoop } from './tick-loop.js';
