import { runServiceProcess } from '@forge/service-runtime';
import { loadConsoleConfig } from './config.js';
import { createConsoleService } from './console-service.js';
import { telemetry } from './instrumentation.js';

// The process entry: config from the environment, wire, serve; SIGTERM stops.
await runServiceProcess({
  name: 'forge-console',
  loadConfig: () => loadConsoleConfig(process.env),
  create: (config) => createConsoleService(config),
  shutdownGraceMs: (config) => config.shutdownGraceMs,
  telemetry,
  onReload: (service) => void service.reload(),
});
