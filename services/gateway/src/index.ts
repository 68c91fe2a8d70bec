export { GATEWAY_ENV_VARIABLES, type GatewayConfig, loadGatewayConfig } from './config.js';
export { createGatewayService, type GatewayService } from './gateway-service.js';
export { skillOfMessage } from './inbound.js';
export { PartnerLink } from './partner-link.js';
export { askPartner, partnersAgent } from './partners-agent.js';
