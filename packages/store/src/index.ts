export { RESERVED_METADATA_KEYS, RESULT_ARTIFACT_ID, recordToTask, toSdkState } from './a2a-task-mapping.js';
export {
  ApprovalDecisionInput,
  ApprovalQuery,
  type ApprovalRepository,
  type BudgetDecision,
  NewApprovalItem,
} from './approval-repository.js';
export {
  AdmitRequest,
  type AdmitResult,
  type BudgetRepository,
  budgetPeriod,
  PgBudgetRepository,
  type ScopeUsage,
  Settlement,
} from './budget-repository.js';
export {
  type ConsoleSession,
  type LoginThrottle,
  PgConsoleSessionRepository,
  type SessionLifetimes,
} from './console-session-repository.js';
export {
  type CallHistory,
  type CostLedger,
  CostLedgerEntry,
  type CostLedgerReader,
  type LedgerUsageRow,
  PgCostLedger,
} from './cost-ledger-repository.js';
export { createFromEnvelope, type EnvelopeRow } from './create-from-envelope.js';
export { type DiaryEntry, type Lesson, Observation, PgDiaryRepository } from './diary-repository.js';
export { InMemoryApprovalRepository } from './in-memory-approval-repository.js';
export { InMemoryTaskRepository } from './in-memory-task-repository.js';
export { MIGRATIONS_DIR, type MigrateOptions, migrate } from './migrate.js';
export {
  type BatchProvider,
  type DeferredKey,
  type DeferredRequest,
  type Lease,
  type ModelBatch,
  type ModelBatchRepository,
  type NewDeferredRequest,
  PgModelBatchRepository,
} from './model-batch-repository.js';
export {
  type DecisionOverview,
  type EscalationOverview,
  PgOperatorViews,
  type TaskOverview,
} from './operator-views-repository.js';
export {
  PARTNER_ASK_SKILL,
  type PartnerActivity,
  type PartnerDirection,
  type PartnerFailure,
  type PartnerSkillCalls,
  type PartnerSpendRow,
  PgPartnerViews,
} from './partner-views-repository.js';
export { PgApprovalRepository } from './pg-approval-repository.js';
export { PgTaskRepository } from './pg-task-repository.js';
export { PgTaskStore, type PgTaskStoreOptions } from './pg-task-store.js';
export { type CreatePoolOptions, createPool } from './pool.js';
export {
  NewPublication,
  type OutboxPost,
  PgPublicationRepository,
  type Publication,
  PublicationCard,
  PublicationStatus,
} from './publication-repository.js';
export {
  queryDeadline,
  untilQueryDeadline,
  withoutQueryDeadline,
  withQueryDeadline,
} from './query-deadline.js';
export {
  BudgetApproval,
  PgRoutingDecisionRepository,
  RoutingDecisionRecord,
  type RoutingDecisionRepository,
  RoutingStatus,
} from './routing-decision-repository.js';
export {
  type PendingRun,
  PgScheduleRepository,
  type SchedulePause,
  type ScheduleRepository,
  type ScheduleRunRecord,
} from './schedule-repository.js';
export { assertSchemaName, schemaForBrain } from './schema-name.js';
export {
  type FeedListing,
  type FeedState,
  type FetchRecord,
  type ItemScore,
  type NewScoutItem,
  PgScoutRepository,
  type RecentItemsQuery,
  type ScoutItem,
  type ScoutRepository,
} from './scout-repository.js';
export { PgSkillRegistry, type SkillRegistry } from './skill-registry.js';
export { PgSpendRepository, type TierSpend } from './spend-repository.js';
export type {
  CreateTaskOptions,
  ListTasksQuery,
  ListTasksResult,
  TaskA2AExtras,
  TaskRecord,
  TaskRepository,
  TransitionChange,
} from './task-repository.js';
