export { DEFAULT_ROUTING_CONFIG_PATH, loadRouterConfig, type RouterConfig } from './config.js';
export type { CallContext, CallHooks, CallInput, CallOutcome } from './gateway/call-context.js';
export { GatewayStats } from './gateway/gateway-stats.js';
export { ModelCallService } from './gateway/model-call-service.js';
export { ModelGateway } from './gateway/model-gateway.js';
export { API_AGENT, API_SKILL } from './http/chat-completions.js';
export { createRouterService, type RouterService, type RouterServiceDeps } from './router-service.js';
export { RoutingConfigSource, type RoutingState } from './routing/routing-config-source.js';
export { type RunRouterOptions, runRouter } from './run-router.js';
