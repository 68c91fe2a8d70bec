import { register } from 'node:module';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, NoopSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';

export interface StartTelemetryOptions {
  serviceName: string;
  serviceVersion?: string;
  /** OTLP/HTTP base URL (`OTEL_EXPORTER_OTLP_ENDPOINT`). Unset: spans are made but not exported. */
  endpoint?: string | undefined;
  /** Extra resource attributes, e.g. `forge.brain`. */
  attributes?: Record<string, string>;
}

export interface Telemetry {
  /** Whether spans leave the process. */
  readonly exporting: boolean;
  /** Flushes pending spans and stops the SDK. Safe to call twice. */
  shutdown(): Promise<void>;
}

/**
 * Starts OpenTelemetry for a service. Call it from the service's `instrumentation.ts`, loaded
 * with `node --import`, before express or pg are imported, so their instrumentations hook in.
 * Without an endpoint, trace context is still made and propagated (log lines carry trace ids
 * and NATS hops stay linked); nothing is exported.
 */
export function startTelemetry(options: StartTelemetryOptions): Telemetry {
  // Under ESM, express and pg are instrumented only through this loader hook, which must be
  // registered before they load. Resolved from here: this package owns the OTel dependencies.
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  // Metrics and logs go nowhere unless a collector takes them (see STACK.md).
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  const exporting = Boolean(options.endpoint);
  const instrumentations: Instrumentation[] = [
    new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => /^\/(livez|readyz)/.test(req.url ?? '') }),
    new ExpressInstrumentation(),
    new PgInstrumentation(),
  ];
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.serviceName,
      [ATTR_SERVICE_VERSION]: options.serviceVersion ?? '0.1.0',
      ...options.attributes,
    }),
    textMapPropagator: new W3CTraceContextPropagator(),
    spanProcessors: exporting
      ? [
          new BatchSpanProcessor(
            new OTLPTraceExporter({ url: `${options.endpoint!.replace(/\/$/, '')}/v1/traces` }),
          ),
        ]
      : // Without a processor the SDK registers no tracer provider: spans would be no-ops and no
        // `traceparent` would cross a NATS hop. A processor that drops spans keeps the trace ids.
        [new NoopSpanProcessor()],
    instrumentations,
  });
  sdk.start();
  let stopped: Promise<void> | undefined;
  return {
    exporting,
    shutdown: () => {
      stopped ??= sdk.shutdown().catch(() => undefined);
      return stopped;
    },
  };
}
