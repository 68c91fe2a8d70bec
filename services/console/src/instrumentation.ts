import { startServiceTelemetry } from '@forge/telemetry-sdk';

/**
 * Loaded first with `node --import`: starts OpenTelemetry (OTLP export when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set) before express and pg load. `main` flushes it last.
 */
export const telemetry = startServiceTelemetry(process.env, {
  serviceName: 'forge-console',
  packageJson: new URL('../package.json', import.meta.url),
});
