export {
  AGENT_CARD_PATH,
  buildAgentCard,
  JSONRPC_PATH,
  REST_PATH,
  SECURITY_SCHEMES,
} from './edge/agent-card.js';
export { ON_BEHALF_OF, principalOf } from './edge/auth.js';
export {
  type ErrorReplyOptions,
  type JsonRpcId,
  replyJsonRpcBodyError,
  replyJsonRpcError,
  replyRestError,
  streamErrorFrame,
} from './edge/error-replies.js';
export type {
  ModelCallInput,
  ModelCallOptions,
  ModelCallScope,
  ModelClient,
  ModelClientFactory,
} from './models/model-client.js';
export { DEFAULT_MODEL_CALL_TIMEOUT_MS, NatsModelClient } from './models/nats-model-client.js';
export {
  NatsPartnerClient,
  type PartnerAnswer,
  type PartnerAskOptions,
  type PartnerClient,
  parsePartnerTarget,
} from './partners/partner-client.js';
export { type AgentService, type AgentServiceDeps, createAgentService } from './service/agent-service.js';
export { AGENT_ENV_VARIABLES, type AgentConfig, loadAgentConfig } from './service/config.js';
export { type RunOptions, runAgentService } from './service/run-agent-service.js';
export type {
  ExtensionContext,
  ExtensionRoutes,
  ServiceExtension,
  ServiceExtensionFactory,
} from './service/service-extension.js';
export { type AgentDefinition, type AgentSpec, defineAgent } from './skills/define-agent.js';
export {
  type ArtifactWriter,
  DEFAULT_INPUT_MODES,
  DEFAULT_OUTPUT_MODES,
  defineSkill,
  type Skill,
  type SkillArtifact,
  type SkillContext,
  type SkillMessage,
  type SkillSpec,
  type SkillTask,
} from './skills/define-skill.js';
export { InputRequiredSignal, isInputRequired } from './skills/input-required.js';
export { skillManifests } from './skills/skill-manifests.js';
export { type SkillMessageOptions, skillMessage } from './skills/skill-message.js';
export { part, type SkillMetadata, type SkillPart } from './skills/skill-parts.js';
export { isSkillReply, reply, type SkillReply, type SkillResult } from './skills/skill-result.js';
export { callForOutput, type StructuredCall } from './skills/structured-call.js';
