import type {
  OtlpAttributes,
  OtlpBatch,
  OtlpValue,
  ReceivedMetric,
  ReceivedPoint,
  ReceivedSpan,
} from './otlp-model.js';
import { Fields } from './protobuf-reader.js';

// Field numbers from opentelemetry-proto (common/v1, resource/v1, trace/v1, metrics/v1).

function anyValue(value: Fields | undefined): OtlpValue {
  if (!value) return null;
  if (value.has(1)) return value.string(1);
  if (value.has(2)) return value.int(2) !== 0;
  if (value.has(3)) return value.int(3);
  if (value.has(4)) return value.double(4);
  if (value.has(5)) return (value.message(5)?.messages(1) ?? []).map(anyValue);
  if (value.has(6)) return attributes(value.message(6)?.messages(1) ?? []);
  if (value.has(7)) return Buffer.from(value.bytes(7)).toString('base64');
  return null;
}

function attributes(list: Fields[]): OtlpAttributes {
  const out: OtlpAttributes = {};
  for (const kv of list) out[kv.string(1)] = anyValue(kv.message(2));
  return out;
}

function resourceOf(container: Fields): OtlpAttributes {
  return attributes(container.message(1)?.messages(1) ?? []);
}

/** `ExportTraceServiceRequest` → spans. */
export function decodeTraceRequest(body: Uint8Array): OtlpBatch {
  const spans: ReceivedSpan[] = [];
  for (const resourceSpans of Fields.of(body).messages(1)) {
    const resource = resourceOf(resourceSpans);
    for (const scopeSpans of resourceSpans.messages(2)) {
      const scope = scopeSpans.message(1)?.string(1) ?? '';
      for (const span of scopeSpans.messages(2)) {
        const status = span.message(15);
        spans.push({
          traceId: span.hex(1),
          spanId: span.hex(2),
          parentSpanId: span.hex(4),
          name: span.string(5),
          kind: span.int(6),
          startTimeUnixNano: span.fixed64(7),
          endTimeUnixNano: span.fixed64(8),
          attributes: attributes(span.messages(9)),
          status: { code: status?.int(3) ?? 0, message: status?.string(2) ?? '' },
          resource,
          scope,
        });
      }
    }
  }
  return { spans, metrics: [] };
}

function numberPoint(point: Fields): ReceivedPoint {
  return {
    attributes: attributes(point.messages(7)),
    timeUnixNano: point.fixed64(3),
    value: point.has(4) ? point.double(4) : point.sfixed64(6),
  };
}

function histogramPoint(point: Fields): ReceivedPoint {
  return {
    attributes: attributes(point.messages(9)),
    timeUnixNano: point.fixed64(3),
    count: Number(point.fixed64(4)),
    sum: point.double(5),
    bucketCounts: point.packedFixed64(6),
    explicitBounds: point.packedDouble(7),
  };
}

function metricOf(metric: Fields, resource: OtlpAttributes, scope: string): ReceivedMetric {
  const base = {
    name: metric.string(1),
    description: metric.string(2),
    unit: metric.string(3),
    resource,
    scope,
  };
  const gauge = metric.message(5);
  if (gauge) return { ...base, kind: 'gauge', points: gauge.messages(1).map(numberPoint) };
  const sum = metric.message(7);
  if (sum) return { ...base, kind: 'sum', points: sum.messages(1).map(numberPoint) };
  const histogram = metric.message(9);
  if (histogram) return { ...base, kind: 'histogram', points: histogram.messages(1).map(histogramPoint) };
  return { ...base, kind: metric.has(10) ? 'exponential-histogram' : 'summary', points: [] };
}

/** `ExportMetricsServiceRequest` → metrics. */
export function decodeMetricsRequest(body: Uint8Array): OtlpBatch {
  const metrics: ReceivedMetric[] = [];
  for (const resourceMetrics of Fields.of(body).messages(1)) {
    const resource = resourceOf(resourceMetrics);
    for (const scopeMetrics of resourceMetrics.messages(2)) {
      const scope = scopeMetrics.message(1)?.string(1) ?? '';
      for (const metric of scopeMetrics.messages(2)) metrics.push(metricOf(metric, resource, scope));
    }
  }
  return { spans: [], metrics };
}
