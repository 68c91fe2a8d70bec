import { register } from 'node:module';
import type { MetricsScrape, ServiceTelemetry } from '@forge/telemetry';
import { METRICS_PATH } from '@forge/telemetry';
import { metrics } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, type MetricReader, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import {
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_NAMESPACE,
  ATTR_SERVICE_VERSION,
} from '@opentelemetry/semantic-conventions';
import { metricExporter, traceExporter } from './exporters.js';
import { quietMetrics, serviceInstrumentations } from './instrumentations.js';
import type { TelemetryConfig } from './telemetry-config.js';

/** A started SDK: what `main` needs (see `ServiceTelemetry`), plus a flush for tests. */
export interface Telemetry extends ServiceTelemetry {
  /** Exports everything pending now (spans and a metrics collection) without stopping. */
  forceFlush(): Promise<void>;
}

/**
 * Starts OpenTelemetry for one service process: call it from the service's `instrumentation.ts`,
 * loaded with `node --import`, before express or pg are imported, so their instrumentations hook
 * in under ESM (it registers the loader hook itself).
 *
 * - Resource: `service.name`, `service.version`, `service.namespace` (the brain),
 *   `deployment.environment` and `deployment.environment.name`.
 * - Traces: W3C trace context; spans are always made (log lines carry trace ids and NATS hops stay
 *   linked) and, with `otlp`, exported in batches to `<endpoint>/v1/traces`.
 * - Metrics: the global meter provider; with `otlp`, pushed every `metricExportIntervalMs` to
 *   `<endpoint>/v1/metrics`; always readable by Prometheus, on the metrics port when one is set,
 *   else through `scrape`, which the service mounts at `/metrics` on its own port.
 */
export function startTelemetry(config: TelemetryConfig): Telemetry {
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  const resource = resourceFromAttributes({
    [ATTR_SERVICE_NAME]: config.serviceName,
    [ATTR_SERVICE_VERSION]: config.serviceVersion,
    [ATTR_SERVICE_NAMESPACE]: config.namespace,
    // The name the issue and older backends (Jaeger's UI among them) read, and the current one.
    'deployment.environment': config.environment,
    'deployment.environment.name': config.environment,
  });

  const tracerProvider = new NodeTracerProvider({
    resource,
    spanProcessors: config.otlp ? [new BatchSpanProcessor(traceExporter(config.otlp))] : [],
  });
  tracerProvider.register({ propagator: new W3CTraceContextPropagator() });

  const ownPort = config.metrics.port !== undefined;
  const prometheus = new PrometheusExporter({
    preventServerStart: !ownPort,
    endpoint: METRICS_PATH,
    ...(ownPort ? { port: config.metrics.port, host: config.metrics.host } : {}),
  });
  const readers: MetricReader[] = [prometheus];
  if (config.otlp) {
    readers.push(
      new PeriodicExportingMetricReader({
        exporter: metricExporter(config.otlp),
        exportIntervalMillis: config.metricExportIntervalMs,
        exportTimeoutMillis: Math.min(30_000, config.metricExportIntervalMs),
      }),
    );
  }
  const meterProvider = new MeterProvider({ resource, readers });
  metrics.setGlobalMeterProvider(meterProvider);

  const instrumentations = serviceInstrumentations(config.traceDetail);
  const unregister = registerInstrumentations({ tracerProvider, meterProvider, instrumentations });
  if (config.traceDetail === 'quiet') quietMetrics(instrumentations);

  const scrape: MetricsScrape | undefined = ownPort
    ? undefined
    : { handle: (req, res) => prometheus.getMetricsRequestHandler(req, res) };
  let stopped: Promise<void> | undefined;
  return {
    exporting: config.otlp !== undefined,
    scrape,
    async forceFlush() {
      await Promise.all([tracerProvider.forceFlush(), meterProvider.forceFlush()]);
    },
    shutdown() {
      stopped ??= (async () => {
        unregister();
        // Each flushes what it holds; an unreachable collector must not fail the stop.
        await Promise.allSettled([tracerProvider.shutdown(), meterProvider.shutdown()]);
      })();
      return stopped;
    },
  };
}
