export {
  ApprovalWatcher,
  notificationText,
  type SendNotification,
  webhookSender,
} from './approval-notifier.js';
export { ApprovalQueue, type ApprovalQueueDeps, SCHEDULE_APPROVED_SKILL } from './approval-queue.js';
export { approvalsRouter } from './approvals-http.js';
export {
  DAY_ENV_VARIABLES,
  DayConfig,
  defaultDayConfigPath,
  type LoadedDayConfig,
  loadDayConfig,
  PostingWindowConfig,
  parseDayConfig,
  VoiceGuide,
} from './day-config.js';
export { Late } from './late.js';
export { createTaskSubmitter, type TaskSubmitter } from './submit-task.js';
export { findInstructions } from './untrusted-text.js';
