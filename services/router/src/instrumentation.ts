import { register } from 'node:module';
import { startTelemetry } from '@forge/telemetry/sdk';

// ESM modules are instrumented only through the loader hook, registered before express and pg
// load. It is resolved from @forge/telemetry, which owns the OpenTelemetry dependencies.
register('@opentelemetry/instrumentation/hook.mjs', import.meta.resolve('@forge/telemetry/sdk'));

/**
 * Loaded first with `node --import`. Started once per process; `main` flushes it after the
 * router has stopped.
 */
export const telemetry = startTelemetry({
  serviceName: 'forge-router',
  endpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT,
  ...(process.env.FORGE_BRAIN ? { attributes: { 'forge.brain': process.env.FORGE_BRAIN } } : {}),
});
