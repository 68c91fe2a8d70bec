import { runServiceProcess } from '@forge/service-runtime';
import { loadSchedulerConfig } from './config.js';
import { telemetry } from './instrumentation.js';
import { createSchedulerService } from './scheduler-service.js';

// The process entry: config from the environment, the schedules file, wire, tick; SIGTERM stops.
await runServiceProcess({
  name: 'forge-scheduler',
  loadConfig: () => loadSchedulerConfig(process.env),
  create: (config) => createSchedulerService(config),
  shutdownGraceMs: (config) => config.shutdownGraceMs,
  telemetry,
});
