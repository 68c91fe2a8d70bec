export { AGENT_CARD_PATH, buildAgentCard, JSONRPC_PATH, REST_PATH, SECURITY_SCHEMES } from './agent-card.js';
export { type AgentService, type AgentServiceDeps, createAgentService } from './agent-service.js';
export { ApiKeyStore, ApiKeysFile, hashApiKey } from './api-keys.js';
export { type AgentConfig, loadAgentConfig } from './config.js';
export { type AgentDefinition, type AgentSpec, defineAgent } from './define-agent.js';
export {
  defineSkill,
  type Skill,
  type SkillContext,
  type SkillSpec,
  type SkillTask,
} from './define-skill.js';
export { InputRequiredSignal, isInputRequired } from './input-required.js';
export { type LinkedSignal, linkedSignal } from './linked-signal.js';
export type { ModelCallInput, ModelCallScope, ModelClient, ModelClientFactory } from './model-client.js';
export { DEFAULT_MODEL_CALL_TIMEOUT_MS, NatsModelClient } from './nats-model-client.js';
export { type RunOptions, runAgentService } from './run-agent-service.js';
export { runServiceProcess, type ServiceLifecycle, type ServiceProcess } from './service-process.js';
export { skillManifests } from './skill-manifests.js';
export {
  messageInput,
  resolveSkillCall,
  type SkillCall,
  type SkillMessageOptions,
  skillMessage,
} from './skill-message.js';
export { callForOutput, type StructuredCall } from './structured-call.js';
