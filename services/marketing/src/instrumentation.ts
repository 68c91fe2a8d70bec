import { startTelemetry } from '@forge/telemetry/sdk';

/**
 * Loaded first with `node --import`. Started once per process; `main` hands it to the kit so
 * pending spans are flushed after the service has stopped.
 */
export const telemetry = startTelemetry({
  serviceName: 'forge-marketing',
  endpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT,
});
