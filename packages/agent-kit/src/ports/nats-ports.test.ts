import { Bus } from '@forge/bus';
import { StatusEvent } from '@forge/contracts';
import type { TaskRecord } from '@forge/store';
import { createLogger } from '@forge/telemetry';
import { type TestBrain, testBrain } from '@forge/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalStatus } from './local-status.js';
import { natsPorts } from './nats-ports.js';

const logger = createLogger({ name: 'ports-test', level: 'silent' });

describe('natsPorts (real NATS)', () => {
  let brain: TestBrain;
  let edge: Bus;
  let worker: Bus;

  beforeAll(async () => {
    brain = await testBrain('kitports');
    edge = await Bus.connect({ servers: brain.natsUrl, name: 'ports-edge', brain: brain.name, logger });
    worker = await Bus.connect({ servers: brain.natsUrl, name: 'ports-worker', brain: brain.name, logger });
  });

  afterAll(async () => {
    await Promise.allSettled([edge?.drain(), worker?.drain()]);
    await brain?.cleanup();
  });

  it('subscribes to a status subject in one round trip, before another connection publishes', async () => {
    const ports = natsPorts(edge, 'unit', 'direct', logger);
    const flush = edge.nc.flush.bind(edge.nc);
    let flushes = 0;
    edge.nc.flush = () => {
      flushes++;
      return flush();
    };
    const taskId = crypto.randomUUID();
    const seen: number[] = [];
    let arrived = () => {};
    const first = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    try {
      const sub = await ports.status.subscribe(taskId, (event) => {
        seen.push(event.seq);
        arrived();
      });
      expect(flushes).toBe(1);
      // Published by another connection the moment subscribe resolved: it must arrive.
      worker.emit(worker.subjects.status(taskId), StatusEvent, {
        v: 1,
        taskId,
        state: 'working',
        seq: 1,
        at: new Date().toISOString(),
      });
      await Promise.race([
        first,
        new Promise((_, reject) => setTimeout(() => reject(new Error('no event')), 2_000)),
      ]);
      expect(seen).toEqual([1]);
      sub.unsubscribe();
    } finally {
      edge.nc.flush = flush;
    }
  });

  it("hands this process's committed changes to its own feeds at once, and still emits them on NATS", async () => {
    const local = new LocalStatus(logger);
    const ports = natsPorts(edge, 'unit', 'direct', logger, local);
    const record = taskRecord(crypto.randomUUID());
    const elsewhere: number[] = [];
    let heard = () => {};
    const heardElsewhere = new Promise<void>((resolve) => {
      heard = resolve;
    });
    const other = worker.subscribe(worker.subjects.status(record.id), StatusEvent, (event) => {
      elsewhere.push(event.seq);
      heard();
    });
    await other.ready;
    const here: Array<{ seq: number; withRecord: boolean }> = [];
    const sub = await ports.status.subscribe(record.id, (event, committed) => {
      here.push({ seq: event.seq, withRecord: committed === record });
    });
    ports.publisher.publish(record);
    // Handed over synchronously, with the record; the NATS copy follows (a feed keeps one per seq).
    expect(here[0]).toEqual({ seq: 2, withRecord: true });
    await Promise.race([
      heardElsewhere,
      new Promise((_, reject) => setTimeout(() => reject(new Error('no event on NATS')), 2_000)),
    ]);
    expect(elsewhere).toEqual([2]);
    sub.unsubscribe();
    other.unsubscribe();
    expect(local.size).toBe(0);
  });
});

function taskRecord(id: string): TaskRecord {
  return {
    id,
    skill: 'unit.echo',
    agent: 'unit',
    owner: 'alice',
    origin: { kind: 'a2a', brain: 'x', by: 'alice' },
    idempotencyKey: `k:${id}`,
    contextId: 'c',
    state: 'completed',
    seq: 2,
    attempt: 1,
    input: { text: 'hi' },
    output: { echo: 'hi' },
    a2a: { history: [], artifacts: [], metadata: {} },
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:01.000Z',
  };
}
