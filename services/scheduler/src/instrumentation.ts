import { startServiceTelemetry } from '@forge/telemetry-sdk';

/**
 * Loaded first with `node --import`: starts OpenTelemetry (traces and metrics; OTLP export when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set) before pg and NATS load. `main` flushes it after the
 * scheduler has stopped.
 */
export const telemetry = startServiceTelemetry(process.env, {
  serviceName: 'forge-scheduler',
  packageJson: new URL('../package.json', import.meta.url),
});
