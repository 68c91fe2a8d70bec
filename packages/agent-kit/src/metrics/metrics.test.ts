import { TaskNotFoundError } from '@a2a-js/sdk/errors';
import type { A2ARequestHandler, ServerCallContext } from '@a2a-js/sdk/server';
import type { TaskRecord } from '@forge/store';
import { metrics } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeteredRequestHandler } from './a2a-request-metrics.js';
import { meteredStatusPublisher, observeTasksInFlight } from './task-metrics.js';

let reader: PeriodicExportingMetricReader;

beforeAll(() => {
  reader = new PeriodicExportingMetricReader({
    exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
    exportIntervalMillis: 3_600_000,
  });
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
});
afterAll(() => metrics.disable());

/** The points of metric `name` now: attributes and value (a histogram's count). */
async function points(name: string): Promise<{ attributes: Record<string, unknown>; value: number }[]> {
  const { resourceMetrics } = await reader.collect();
  const metric = resourceMetrics.scopeMetrics
    .flatMap((s) => s.metrics)
    .find((m) => m.descriptor.name === name);
  return (metric?.dataPoints ?? []).map((point) => ({
    attributes: point.attributes,
    value: typeof point.value === 'number' ? point.value : (point.value as { count: number }).count,
  }));
}

const context = {} as ServerCallContext;

describe('MeteredRequestHandler', () => {
  it('counts each A2A method by status: ok, the A2A reason, the end of a stream', async () => {
    const inner = {
      sendMessage: async () => ({ id: 't' }),
      getTask: async () => {
        throw new TaskNotFoundError('task t not found');
      },
      async *sendMessageStream() {
        yield { payload: { $case: 'task' } };
        throw Object.assign(new Error('gone'), { code: 'UNAVAILABLE' });
      },
    } as unknown as A2ARequestHandler;
    const handler = new MeteredRequestHandler(inner, 'scout');
    await handler.sendMessage({} as never, context);
    await handler.sendMessage({} as never, context);
    await expect(handler.getTask({} as never, context)).rejects.toThrow('not found');
    const seen: unknown[] = [];
    await expect(
      (async () => {
        for await (const event of handler.sendMessageStream({} as never, context)) seen.push(event);
      })(),
    ).rejects.toThrow('gone');
    expect(seen).toHaveLength(1);

    const requests = await points('forge.a2a.requests');
    const count = (method: string, status: string) =>
      requests.find((p) => p.attributes['a2a.method'] === method && p.attributes['a2a.status'] === status)
        ?.value;
    expect(count('SendMessage', 'ok')).toBe(2);
    expect(count('GetTask', 'TASK_NOT_FOUND')).toBe(1);
    expect(count('SendStreamingMessage', 'UNAVAILABLE')).toBe(1);
    expect(requests.every((p) => p.attributes['forge.agent'] === 'scout')).toBe(true);
    expect((await points('forge.a2a.request.duration')).reduce((sum, p) => sum + p.value, 0)).toBe(4);
  });
});

describe('meteredStatusPublisher', () => {
  it('passes every record on and counts only the states a task reaches for good or waits in', async () => {
    const published: string[] = [];
    const publisher = meteredStatusPublisher(
      { publish: (record) => published.push(record.state) },
      'engagement',
    );
    const record = (state: TaskRecord['state']) => ({ state, skill: 'engagement.draft-reply' }) as TaskRecord;
    for (const state of ['working', 'working', 'input-required', 'working', 'completed'] as const) {
      publisher.publish(record(state));
    }
    expect(published).toEqual(['working', 'working', 'input-required', 'working', 'completed']);
    const tasks = await points('forge.tasks');
    expect(tasks.map((p) => [p.attributes['forge.task.state'], p.value]).sort()).toEqual([
      ['completed', 1],
      ['input-required', 1],
    ]);
    expect(tasks[0]!.attributes).toMatchObject({
      'forge.skill': 'engagement.draft-reply',
      'forge.agent': 'engagement',
    });
  });

  it('observes the tasks in flight until told to stop', async () => {
    let inFlight = 3;
    const stop = observeTasksInFlight('diary', () => inFlight);
    expect((await points('forge.tasks.in_flight')).map((p) => p.value)).toEqual([3]);
    inFlight = 1;
    expect((await points('forge.tasks.in_flight')).map((p) => p.value)).toEqual([1]);
    stop();
  });
});
