import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OtlpReceiver, startOtlpReceiver } from '../index.js';

let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
});
afterAll(() => receiver.close());

const resource = resourceFromAttributes({ 'service.name': 'receiver-test', 'service.namespace': 'brain_x' });

describe.each([
  ['protobuf', () => new ProtoTraceExporter({ url: `${receiver.url}/v1/traces` })],
  ['json', () => new JsonTraceExporter({ url: `${receiver.url}/v1/traces` })],
] as const)('OTLP receiver: spans over %s', (encoding, exporter) => {
  it('keeps every span with its ids, parent link, kind, attributes, status and resource', async () => {
    receiver.reset();
    const provider = new BasicTracerProvider({
      resource,
      spanProcessors: [new SimpleSpanProcessor(exporter())],
    });
    const tracer = provider.getTracer('receiver-test-scope');
    const parent = tracer.startSpan('parent', { kind: SpanKind.SERVER });
    const ctx = { traceId: parent.spanContext().traceId, spanId: parent.spanContext().spanId };
    const { trace, context } = await import('@opentelemetry/api');
    const child = tracer.startSpan(
      'child',
      {
        kind: SpanKind.CLIENT,
        attributes: { text: 'a', count: 42, ratio: 0.5, flag: true, list: ['x', 'y'] },
      },
      trace.setSpanContext(context.active(), parent.spanContext()),
    );
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'nope' });
    child.end();
    parent.end();
    await provider.forceFlush();
    await provider.shutdown();

    const spans = await receiver.waitFor(
      () => (receiver.trace(ctx.traceId).length === 2 ? receiver.trace(ctx.traceId) : undefined),
      10_000,
      'two spans',
    );
    expect(receiver.requests.every((r) => r.encoding === encoding && r.status === 200)).toBe(true);
    const byName = Object.fromEntries(spans.map((span) => [span.name, span]));
    expect(byName.parent).toMatchObject({
      spanId: ctx.spanId,
      parentSpanId: '',
      kind: 2,
      scope: 'receiver-test-scope',
    });
    expect(byName.child).toMatchObject({
      parentSpanId: ctx.spanId,
      kind: 3,
      attributes: { text: 'a', count: 42, ratio: 0.5, flag: true, list: ['x', 'y'] },
      status: { code: 2, message: 'nope' },
      resource: { 'service.name': 'receiver-test', 'service.namespace': 'brain_x' },
    });
    expect(byName.child!.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(byName.child!.endTimeUnixNano).toBeGreaterThanOrEqual(byName.child!.startTimeUnixNano);
  });
});

describe.each([
  ['protobuf', () => new ProtoMetricExporter({ url: `${receiver.url}/v1/metrics` })],
  ['json', () => new JsonMetricExporter({ url: `${receiver.url}/v1/metrics` })],
] as const)('OTLP receiver: metrics over %s', (encoding, exporter) => {
  it('keeps sums, gauges and histograms with their attributes; latest() gives the newest point', async () => {
    receiver.reset();
    const reader = new PeriodicExportingMetricReader({
      exporter: exporter(),
      exportIntervalMillis: 3_600_000,
    });
    const provider = new MeterProvider({ resource, readers: [reader] });
    const meter = provider.getMeter('receiver-test-scope');
    const counter = meter.createCounter('test.count', { unit: '{thing}', description: 'things' });
    const histogram = meter.createHistogram('test.latency', {
      unit: 's',
      advice: { explicitBucketBoundaries: [0.1, 1, 10] },
    });
    meter
      .createObservableGauge('test.level')
      .addCallback((result) => result.observe(7.5, { 'forge.budget.scope': 'month' }));
    counter.add(2, { state: 'completed' });
    counter.add(1, { state: 'failed' });
    histogram.record(0.5, { model: 'm' });
    histogram.record(5, { model: 'm' });
    await provider.forceFlush();
    counter.add(3, { state: 'completed' });
    await provider.forceFlush();
    await provider.shutdown();

    await receiver.waitFor(
      () => (receiver.latest('test.count', { state: 'completed' })[0]?.value === 5 ? true : undefined),
      10_000,
      'the second export',
    );
    expect(receiver.requests.every((r) => r.encoding === encoding && r.status === 200)).toBe(true);
    expect(receiver.latest('test.count', { state: 'failed' }).map((p) => p.value)).toEqual([1]);
    const count = receiver.metrics.find((m) => m.name === 'test.count')!;
    expect(count).toMatchObject({
      kind: 'sum',
      unit: '{thing}',
      description: 'things',
      scope: 'receiver-test-scope',
    });
    expect(count.resource['service.name']).toBe('receiver-test');
    const [latency] = receiver.latest('test.latency', { model: 'm' });
    expect(latency).toMatchObject({
      count: 2,
      sum: 5.5,
      explicitBounds: [0.1, 1, 10],
      bucketCounts: [0, 1, 1, 0],
    });
    expect(receiver.latest('test.level').map((p) => [p.value, p.attributes])).toEqual([
      [7.5, { 'forge.budget.scope': 'month' }],
    ]);
    expect(receiver.metrics.find((m) => m.name === 'test.level')?.kind).toBe('gauge');
  });
});

describe('OTLP receiver: bad input', () => {
  it('answers 400 naming the problem for a body that is not OTLP, and 404 off the OTLP paths', async () => {
    const bad = await fetch(`${receiver.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: new Uint8Array([0x0a, 0x05, 0x01]),
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/truncated/);
    expect((await fetch(`${receiver.url}/v2/whatever`, { method: 'POST' })).status).toBe(404);
  });
});
