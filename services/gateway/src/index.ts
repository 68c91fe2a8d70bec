export { GATEWAY_ENV_VARIABLES, type GatewayConfig, loadGatewayConfig } from './config.js';
export { createGatewayService, type GatewayService } from './gateway-service.js';
export { skillOfMessage } from './inbound.js';
export { PartnerAuthenticator } from './partner-auth.js';
export { PartnerLink } from './partner-link.js';
export { PartnerSpend } from './partner-spend.js';
export { askPartner, partnersAgent } from './partners-agent.js';
export { createPublicApp } from './public-app.js';
export { PublicCard } from './public-card.js';
