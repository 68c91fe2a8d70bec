import type {
  OtlpAttributes,
  OtlpBatch,
  OtlpValue,
  ReceivedMetric,
  ReceivedPoint,
  ReceivedSpan,
} from './otlp-model.js';

// The OTLP/JSON encoding: lowerCamelCase field names, ids as hex strings, 64-bit integers as
// strings or numbers, enums as numbers.

type Json = Record<string, unknown>;

function obj(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

function list(value: unknown): Json[] {
  return Array.isArray(value) ? value.map(obj) : [];
}

function num(value: unknown): number {
  return typeof value === 'number' ? value : typeof value === 'string' && value !== '' ? Number(value) : 0;
}

function nanos(value: unknown): bigint {
  return typeof value === 'string' || typeof value === 'number' ? BigInt(value) : 0n;
}

function anyValue(value: Json): OtlpValue {
  if ('stringValue' in value) return String(value.stringValue);
  if ('boolValue' in value) return Boolean(value.boolValue);
  if ('intValue' in value) return num(value.intValue);
  if ('doubleValue' in value) return num(value.doubleValue);
  if ('arrayValue' in value) return list(obj(value.arrayValue).values).map(anyValue);
  if ('kvlistValue' in value) return attributes(obj(value.kvlistValue).values);
  if ('bytesValue' in value) return String(value.bytesValue);
  return null;
}

function attributes(value: unknown): OtlpAttributes {
  const out: OtlpAttributes = {};
  for (const kv of list(value)) out[String(kv.key)] = anyValue(obj(kv.value));
  return out;
}

/** OTLP/JSON `ExportTraceServiceRequest` → spans. */
export function decodeTraceJson(body: unknown): OtlpBatch {
  const spans: ReceivedSpan[] = [];
  for (const resourceSpans of list(obj(body).resourceSpans)) {
    const resource = attributes(obj(resourceSpans.resource).attributes);
    for (const scopeSpans of list(resourceSpans.scopeSpans)) {
      const scope = String(obj(scopeSpans.scope).name ?? '');
      for (const span of list(scopeSpans.spans)) {
        const status = obj(span.status);
        spans.push({
          traceId: String(span.traceId ?? '').toLowerCase(),
          spanId: String(span.spanId ?? '').toLowerCase(),
          parentSpanId: String(span.parentSpanId ?? '').toLowerCase(),
          name: String(span.name ?? ''),
          kind: num(span.kind),
          startTimeUnixNano: nanos(span.startTimeUnixNano),
          endTimeUnixNano: nanos(span.endTimeUnixNano),
          attributes: attributes(span.attributes),
          status: { code: num(status.code), message: String(status.message ?? '') },
          resource,
          scope,
        });
      }
    }
  }
  return { spans, metrics: [] };
}

function numberPoint(point: Json): ReceivedPoint {
  return {
    attributes: attributes(point.attributes),
    timeUnixNano: nanos(point.timeUnixNano),
    value: num(point.asDouble ?? point.asInt),
  };
}

function histogramPoint(point: Json): ReceivedPoint {
  return {
    attributes: attributes(point.attributes),
    timeUnixNano: nanos(point.timeUnixNano),
    count: num(point.count),
    sum: num(point.sum),
    bucketCounts: Array.isArray(point.bucketCounts) ? point.bucketCounts.map(num) : [],
    explicitBounds: Array.isArray(point.explicitBounds) ? point.explicitBounds.map(num) : [],
  };
}

/** OTLP/JSON `ExportMetricsServiceRequest` → metrics. */
export function decodeMetricsJson(body: unknown): OtlpBatch {
  const metrics: ReceivedMetric[] = [];
  for (const resourceMetrics of list(obj(body).resourceMetrics)) {
    const resource = attributes(obj(resourceMetrics.resource).attributes);
    for (const scopeMetrics of list(resourceMetrics.scopeMetrics)) {
      const scope = String(obj(scopeMetrics.scope).name ?? '');
      for (const metric of list(scopeMetrics.metrics)) {
        const base = {
          name: String(metric.name ?? ''),
          description: String(metric.description ?? ''),
          unit: String(metric.unit ?? ''),
          resource,
          scope,
        };
        if (metric.gauge)
          metrics.push({
            ...base,
            kind: 'gauge',
            points: list(obj(metric.gauge).dataPoints).map(numberPoint),
          });
        else if (metric.sum)
          metrics.push({ ...base, kind: 'sum', points: list(obj(metric.sum).dataPoints).map(numberPoint) });
        else if (metric.histogram)
          metrics.push({
            ...base,
            kind: 'histogram',
            points: list(obj(metric.histogram).dataPoints).map(histogramPoint),
          });
        else
          metrics.push({
            ...base,
            kind: metric.exponentialHistogram ? 'exponential-histogram' : 'summary',
            points: [],
          });
      }
    }
  }
  return { spans: [], metrics };
}
