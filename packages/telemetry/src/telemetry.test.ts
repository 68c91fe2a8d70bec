import { Writable } from 'node:stream';
import { context, propagation, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, extractTraceContext, injectTraceContext, redactUrl, withSpan } from './index.js';

const exporter = new InMemorySpanExporter();

beforeAll(() => {
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});

afterAll(() => {
  trace.disable();
  context.disable();
  propagation.disable();
});

describe('withSpan', () => {
  it('records the exception, marks the span as an error, ends it, and rethrows', async () => {
    exporter.reset();
    await expect(
      withSpan('boom', async () => {
        throw new Error('nope');
      }),
    ).rejects.toThrow('nope');
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('boom');
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.events.some((e) => e.name === 'exception')).toBe(true);
  });

  it('returns what the function returns', async () => {
    await expect(withSpan('ok', () => 42)).resolves.toBe(42);
  });
});

describe('trace context over headers', () => {
  it('carries the active trace id through a header record', async () => {
    const headers: Record<string, string> = {};
    let traceId = '';
    await withSpan('producer', (span) => {
      traceId = span.spanContext().traceId;
      injectTraceContext(headers);
    });
    expect(headers.traceparent).toContain(traceId);
    // NATS keeps header case as sent: extraction must not depend on it.
    const ctx = extractTraceContext({ Traceparent: headers.traceparent! });
    expect(trace.getSpanContext(ctx)?.traceId).toBe(traceId);
  });
});

describe('logger', () => {
  it('stamps trace ids and never writes secrets', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger({ name: 'test', destination });
    await withSpan('logging', (span) => {
      logger.info({ headers: { authorization: 'Bearer fk_secret' }, apiKey: 'sk-123' }, 'hello');
      expect(lines.join('')).toContain(span.spanContext().traceId);
    });
    const text = lines.join('');
    expect(text).not.toContain('fk_secret');
    expect(text).not.toContain('sk-123');
  });

  it('redacts credentials in URLs', () => {
    expect(redactUrl('postgres://user:pw@db:5432/x')).toBe('postgres://***:***@db:5432/x');
  });
});
