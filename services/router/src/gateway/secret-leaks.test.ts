import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayTestRoutes } from '../../test/gateway-fixtures.js';
import { capturingLogger, type Harness, startHarness, testRoutingConfig } from '../../test/harness.js';

const ANTHROPIC_KEY = 'sk-ant-api03-LEAKCHECK-7f3a9c1e5b2d4f6a8c0e';
const OPENAI_KEY = 'sk-proj-LEAKCHECK-2b4d6f8a0c1e3a5c7e9b';

let h: Harness;
const spans = new InMemorySpanExporter();
const { logger, lines } = capturingLogger();

beforeAll(async () => {
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }),
  );
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  h = await startHarness({
    config: await testRoutingConfig(gatewayTestRoutes()),
    env: { ANTHROPIC_API_KEY: ANTHROPIC_KEY, OPENAI_API_KEY: OPENAI_KEY },
    logger,
  });
});

afterAll(async () => {
  await h?.close();
  trace.disable();
  context.disable();
});

describe('provider keys', () => {
  it('never reach replies, ledger rows, spans or logs, even when a vendor quotes them back', async () => {
    const task = await h.task({ skill: 'scout.score' });
    // Vendors answer a bad key by quoting it (OpenAI shows part of it); these quote it whole.
    h.fake.script(
      {
        match: { model: 'claude-haiku-5.5' },
        status: 401,
        body: {
          type: 'error',
          error: { type: 'authentication_error', message: `invalid x-api-key: ${ANTHROPIC_KEY}` },
        },
      },
      {
        match: { model: 'gpt-6-luna' },
        status: 401,
        body: {
          error: {
            message: `Incorrect API key provided: ${OPENAI_KEY}`,
            type: 'invalid_request_error',
            code: 'invalid_api_key',
          },
        },
      },
    );
    const reply = await h.call(task, {});
    expect(reply.ok).toBe(false);
    expect(h.fake.requests).toHaveLength(2);
    // The vendors' messages still say what went wrong, without the key.
    const text = JSON.stringify(reply);
    expect(text).toMatch(/invalid x-api-key: \[redacted\]/);
    await h.flush();
    const rows = await h.ledger.forTask(task.id);
    expect(rows).toHaveLength(2);
    const everything = [
      text,
      JSON.stringify(rows),
      JSON.stringify(
        spans.getFinishedSpans().map((s) => ({ a: s.attributes, st: s.status, ev: s.events, n: s.name })),
      ),
      JSON.stringify(lines),
    ].join('\n');
    expect(everything).toContain('[redacted]');
    expect(everything).not.toContain(ANTHROPIC_KEY);
    expect(everything).not.toContain(OPENAI_KEY);
  });
});
