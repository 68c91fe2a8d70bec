export { AGENT_EVENT_VERSION, AgentEvent } from './agent-event.js';
export {
  ApprovalAction,
  ApprovalDecision,
  ApprovalItem,
  ApprovalKind,
  ApprovalListQuery,
  ApprovalStatus,
  ApproveRequest,
  FrontierReview,
  PolicyVerdict,
  RejectRequest,
  SafetyFlag,
} from './approval.js';
export {
  DEFAULT_MAX_JSON_DEPTH,
  type JsonRefusal,
  jsonDepth,
  parseBoundedJson,
} from './bounded-json.js';
export { type CallerError, callerError, errorDetail, newErrorId } from './caller-error.js';
export {
  A2A_ERROR_DOMAIN,
  type A2AErrorName,
  ERROR_SPECS,
  type ErrorSpec,
  errorSpec,
  FORGE_ERROR_DOMAIN,
  type OpenAIErrorType,
  type RpcStatus,
} from './error-spec.js';
export {
  assertNever,
  ERROR_CODES,
  type ErrorCode,
  ForgeError,
  type ForgeErrorOptions,
  isForgeError,
} from './errors.js';
export { InboundMention, InboundMentions } from './inbound-mention.js';
export {
  ChatMessage,
  DeferredCall,
  MODEL_CALL_VERSION,
  ModelCallFailure,
  ModelCallReply,
  ModelCallRequest,
  ModelCallSuccess,
  ModelPurpose,
  ModelStreamChunk,
  ModelUsage,
  StablePromptPart,
} from './model-call.js';
export { ModelId, ModelPrice, ProviderKind } from './model-price.js';
export {
  AgentName,
  BrainName,
  SkillId,
  SkillRef,
  skillRef,
  splitSkillRef,
} from './names.js';
export {
  Origin,
  OriginKind,
  originOfPrincipal,
  PARTNER_PRINCIPAL_PREFIX,
  partnerOfPrincipal,
} from './origin.js';
export { PartnerAskReply, PartnerAskRequest } from './partner-ask.js';
export { RoutingDecision } from './routing.js';
export {
  SCHEDULER_CONTROL_VERSION,
  ScheduleName,
  ScheduleRunOutcome,
  ScheduleRunTrigger,
  ScheduleRunView,
  SchedulerControlReply,
  SchedulerControlRequest,
  ScheduleView,
} from './scheduler-control.js';
export {
  InventoryCount,
  ManifestRecord,
  PackageRecord,
  PackageTag,
  SeedToSaleRecords,
  TransferRecord,
  UnitOfMeasure,
} from './seed-to-sale.js';
export { SkillManifest } from './skill-manifest.js';
export {
  ArtifactChunk,
  CANCEL_REQUEST_VERSION,
  CancelReply,
  CancelRequest,
  STATUS_EVENT_VERSION,
  StatusEvent,
  TaskError,
} from './status-event.js';
export { STORY_SURFACED, StorySurfaced, StorySurfacedEvent } from './story-surfaced.js';
export { type ForgeSubjects, forgeSubjects, HEADERS, type StreamSpec } from './subjects.js';
export { TASK_ENVELOPE_VERSION, TaskEnvelope } from './task-envelope.js';
export {
  canTransition,
  INTERRUPTED_STATES,
  isTerminal,
  statesAllowingMoveTo,
  TASK_STATES,
  TaskState,
  TERMINAL_STATES,
} from './task-state.js';
export { maxTier, minTier, nextTier, TIERS, Tier, tierRank } from './tier.js';
export { describeIssues, parseOrThrow } from './validation.js';
