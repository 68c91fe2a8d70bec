import { OTLPMetricExporter as OtlpJsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as OtlpProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as OtlpJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { TelemetryConfig } from './telemetry-config.js';

type Otlp = NonNullable<TelemetryConfig['otlp']>;

/** The OTLP/HTTP span exporter for the configured protocol, to `<endpoint>/v1/traces`. */
export function traceExporter(otlp: Otlp): SpanExporter {
  const options = { url: `${otlp.endpoint}/v1/traces`, headers: otlp.headers };
  return otlp.protocol === 'http/json'
    ? new OtlpJsonTraceExporter(options)
    : new OtlpProtoTraceExporter(options);
}

/** The OTLP/HTTP metric exporter for the configured protocol, to `<endpoint>/v1/metrics` (cumulative). */
export function metricExporter(otlp: Otlp): PushMetricExporter {
  const options = { url: `${otlp.endpoint}/v1/metrics`, headers: otlp.headers };
  return otlp.protocol === 'http/json'
    ? new OtlpJsonMetricExporter(options)
    : new OtlpProtoMetricExporter(options);
}
