import { startServiceTelemetry } from '@forge/telemetry-sdk';

/**
 * Loaded first with `node --import`: starts OpenTelemetry (traces and metrics; OTLP export when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set) before express and pg load. `main` hands it to the kit,
 * which mounts its Prometheus scrape and flushes it after the service has stopped.
 */
export const telemetry = startServiceTelemetry(process.env, {
  serviceName: 'forge-gateway',
  packageJson: new URL('../package.json', import.meta.url),
});
