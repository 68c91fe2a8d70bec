export {
  AGENT_CARD_PATH,
  buildAgentCard,
  JSONRPC_PATH,
  REST_PATH,
  SECURITY_SCHEMES,
} from './edge/agent-card.js';
export type {
  ModelCallInput,
  ModelCallOptions,
  ModelCallScope,
  ModelClient,
  ModelClientFactory,
} from './models/model-client.js';
export { DEFAULT_MODEL_CALL_TIMEOUT_MS, NatsModelClient } from './models/nats-model-client.js';
export { type AgentService, type AgentServiceDeps, createAgentService } from './service/agent-service.js';
export { type AgentConfig, loadAgentConfig } from './service/config.js';
export { type RunOptions, runAgentService } from './service/run-agent-service.js';
export { type AgentDefinition, type AgentSpec, defineAgent } from './skills/define-agent.js';
export {
  defineSkill,
  type Skill,
  type SkillContext,
  type SkillSpec,
  type SkillTask,
} from './skills/define-skill.js';
export { InputRequiredSignal, isInputRequired } from './skills/input-required.js';
export { skillManifests } from './skills/skill-manifests.js';
export { type SkillMessageOptions, skillMessage } from './skills/skill-message.js';
export { callForOutput, type StructuredCall } from './skills/structured-call.js';
