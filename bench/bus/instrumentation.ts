import { startServiceTelemetry } from '@forge/telemetry-sdk';

/**
 * Tracing as a service runs it: the service SDK (context manager, W3C propagator, a recording
 * tracer provider, the metrics pipeline), spans made and not exported. The bench calls it from
 * `main` (one process holds both paths), as a service's instrumentation.ts would.
 */
export function startTracing() {
  return startServiceTelemetry({}, { serviceName: 'forge-bench' });
}
