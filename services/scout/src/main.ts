import { runServiceProcess } from '@forge/service-runtime';
import { loadScoutConfig } from './config.js';
import { telemetry } from './instrumentation.js';
import { createScoutService } from './scout-service.js';

// The process entry: config from the environment, the feeds file, wire, serve; SIGTERM stops.
await runServiceProcess({
  name: 'forge-scout',
  loadConfig: () => loadScoutConfig(process.env),
  create: (config) => createScoutService(config),
  shutdownGraceMs: (config) => config.agent.shutdownGraceMs,
  telemetry,
});
