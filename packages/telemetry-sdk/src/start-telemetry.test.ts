import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { forgeMeter, withMetricsEndpoint, withSpan } from '@forge/telemetry';
import { type OtlpReceiver, parsePrometheusText, startOtlpReceiver } from '@forge/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTelemetry, type Telemetry } from './start-telemetry.js';

let receiver: OtlpReceiver;
let telemetry: Telemetry;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  telemetry = startTelemetry({
    serviceName: 'forge-sdk-test',
    serviceVersion: '9.9.9',
    namespace: 'brain_t',
    environment: 'test',
    otlp: { endpoint: receiver.url, protocol: 'http/protobuf', headers: {} },
    metricExportIntervalMs: 3_600_000,
    metrics: { host: '127.0.0.1' },
    traceDetail: 'quiet',
  });
});
afterAll(async () => {
  await telemetry.shutdown();
  await receiver.close();
});

describe('startTelemetry', () => {
  it('exports spans and metrics over OTLP with the service’s resource attributes', async () => {
    expect(telemetry.exporting).toBe(true);
    const counter = forgeMeter('test').createCounter('forge.test.things');
    const traceId = await withSpan('outer', () =>
      withSpan('inner', (span) => {
        counter.add(3, { kind: 'x' });
        return span.spanContext().traceId;
      }),
    );
    await telemetry.forceFlush();
    const spans = await receiver.waitFor(
      () => (receiver.trace(traceId).length === 2 ? receiver.trace(traceId) : undefined),
      10_000,
      'two spans',
    );
    const inner = spans.find((span) => span.name === 'inner')!;
    const outer = spans.find((span) => span.name === 'outer')!;
    expect(inner.parentSpanId).toBe(outer.spanId);
    expect(inner.resource).toMatchObject({
      'service.name': 'forge-sdk-test',
      'service.version': '9.9.9',
      'service.namespace': 'brain_t',
      'deployment.environment': 'test',
      'deployment.environment.name': 'test',
    });
    const [point] = await receiver.waitFor(
      () =>
        receiver.latest('forge.test.things').length > 0 ? receiver.latest('forge.test.things') : undefined,
      10_000,
      'the counter',
    );
    expect(point).toMatchObject({ value: 3, attributes: { kind: 'x' } });
  });

  it('answers a Prometheus scrape in-band when no metrics port is set', async () => {
    const server = createServer(
      withMetricsEndpoint((_req, res) => res.writeHead(404).end(), telemetry.scrape),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(res.status).toBe(200);
      const samples = parsePrometheusText(await res.text());
      expect(samples.find((s) => s.name === 'forge_test_things_total')).toMatchObject({
        value: 3,
        labels: { kind: 'x' },
      });
      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    } finally {
      server.close();
    }
  });
});
