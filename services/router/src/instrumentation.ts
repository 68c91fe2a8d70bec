import { startServiceTelemetry } from '@forge/telemetry-sdk';

/**
 * Loaded first with `node --import`: starts OpenTelemetry (traces and metrics; OTLP export when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set) and registers the ESM loader hook before express and pg
 * load. `main` mounts its Prometheus scrape and flushes it after the router has stopped.
 */
export const telemetry = startServiceTelemetry(process.env, {
  serviceName: 'forge-router',
  packageJson: new URL('../package.json', import.meta.url),
});
