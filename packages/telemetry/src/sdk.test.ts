import { afterAll, describe, expect, it } from 'vitest';
import { injectTraceContext, withSpan } from './index.js';
import { startTelemetry } from './sdk.js';

describe('startTelemetry without an endpoint', () => {
  const telemetry = startTelemetry({ serviceName: 'forge-test' });
  afterAll(() => telemetry.shutdown());

  it('exports nothing but still makes trace context that crosses a hop', async () => {
    expect(telemetry.exporting).toBe(false);
    const headers: Record<string, string> = {};
    const traceId = await withSpan('hop', (span) => {
      injectTraceContext(headers);
      return span.spanContext().traceId;
    });
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(traceId).not.toBe('0'.repeat(32));
    expect(headers.traceparent).toContain(traceId);
  });

  it('shuts down twice without error', async () => {
    await telemetry.shutdown();
    await expect(telemetry.shutdown()).resolves.toBeUndefined();
  });
});
