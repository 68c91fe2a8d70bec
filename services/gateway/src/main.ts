import { runServiceProcess } from '@forge/service-runtime';
import { loadGatewayConfig } from './config.js';
import { createGatewayService } from './gateway-service.js';
import { telemetry } from './instrumentation.js';

// The process entry: config from the environment and the federation file, wire, serve; SIGTERM stops.
await runServiceProcess({
  name: 'forge-gateway',
  loadConfig: () => loadGatewayConfig(process.env),
  create: (config) => createGatewayService(config),
  shutdownGraceMs: (config) => config.agent.shutdownGraceMs,
  telemetry,
});
