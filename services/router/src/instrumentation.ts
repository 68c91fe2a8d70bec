import { startTelemetry } from '@forge/telemetry/sdk';

/**
 * Loaded first with `node --import` (startTelemetry registers the ESM loader hook, so express and
 * pg are instrumented). Started once per process; `main` flushes it after the router has stopped.
 */
export const telemetry = startTelemetry({
  serviceName: 'forge-router',
  endpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT,
  ...(process.env.FORGE_BRAIN ? { attributes: { 'forge.brain': process.env.FORGE_BRAIN } } : {}),
});
