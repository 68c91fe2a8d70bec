import { startTelemetry } from '@forge/telemetry/sdk';
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';

/**
 * Tracing as a service runs it: the SDK's context manager and W3C propagator, and spans that are
 * recorded (not exported). Without an endpoint startTelemetry registers no tracer provider, so
 * one that records and drops is added; otherwise the forge path would skip span work. The bench
 * calls it from `main` (one process holds both paths), as a service's instrumentation.ts would.
 */
export function startTracing() {
  const telemetry = startTelemetry({ serviceName: 'forge-bench' });
  const probe = trace.getTracer('bench').startSpan('probe');
  if (!probe.isRecording()) trace.setGlobalTracerProvider(new BasicTracerProvider());
  probe.end();
  return telemetry;
}
