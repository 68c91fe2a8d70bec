import { startTelemetry } from '@forge/telemetry/sdk';

/** Loaded first with `node --import`; `main` flushes it after the scheduler has stopped. */
export const telemetry = startTelemetry({
  serviceName: 'forge-scheduler',
  endpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT,
  ...(process.env.FORGE_BRAIN ? { attributes: { 'forge.brain': process.env.FORGE_BRAIN } } : {}),
});
