import { Bus } from '@forge/bus';
import { StatusEvent, TaskEnvelope } from '@forge/contracts';
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

  it('sends a new task to the router, and straight to the agent only on the test-only path', async () => {
    await edge.ensureStreams();
    const routed: string[] = [];
    const direct: string[] = [];
    const onRoute = worker.subscribe(worker.subjects.taskRoute, TaskEnvelope, (e) => routed.push(e.id));
    const onRun = worker.subscribe(worker.subjects.taskRun('unit'), TaskEnvelope, (e) => direct.push(e.id));
    await Promise.all([onRoute.ready, onRun.ready]);
    const envelope = (id: string): TaskEnvelope => ({
      v: 1,
      id,
      skill: 'unit.echo',
      input: { text: 'hi' },
      origin: { kind: 'a2a', brain: brain.name, by: 'alice' },
      idempotencyKey: `k:${id}`,
      contextId: 'c',
      createdAt: new Date().toISOString(),
    });
    try {
      const viaRouter = crypto.randomUUID();
      await natsPorts(edge, 'unit', 'router', logger).dispatcher.dispatch(envelope(viaRouter), viaRouter);
      const straight = crypto.randomUUID();
      await natsPorts(edge, 'unit', 'direct-for-tests', logger).dispatcher.dispatch(
        envelope(straight),
        straight,
      );
      const until = Date.now() + 5_000;
      while ((routed.length < 1 || direct.length < 1) && Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(routed).toEqual([viaRouter]);
      expect(direct).toEqual([straight]);
    } finally {
      onRoute.unsubscribe();
      onRun.unsubscribe();
    }
  });

  it('subscribes to a status subject in one round trip, before another connection publishes', async () => {
    const ports = natsPorts(edge, 'unit', 'router', logger);
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

  it('publishing next: no round trip; the SUB goes out with the task, ahead of it, and hears what follows it', async () => {
    await edge.ensureStreams();
    const ports = natsPorts(edge, 'unit', 'router', logger);
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
    // The task's publish reaches a "worker" on another connection, which announces a change the
    // moment it has the task: the feed must hear it.
    const onRoute = worker.subscribe(worker.subjects.taskRoute, TaskEnvelope, (task) => {
      if (task.id !== taskId) return;
      worker.emit(worker.subjects.status(taskId), StatusEvent, {
        v: 1,
        taskId,
        state: 'working',
        seq: 1,
        at: new Date().toISOString(),
      });
    });
    await onRoute.ready;
    try {
      const sub = await ports.status.subscribe(
        taskId,
        (event) => {
          seen.push(event.seq);
          arrived();
        },
        { publishingNext: true },
      );
      expect(flushes).toBe(0);
      await ports.dispatcher.dispatch(
        {
          v: 1,
          id: taskId,
          skill: 'unit.echo',
          input: { text: 'hi' },
          origin: { kind: 'a2a', brain: brain.name, by: 'alice' },
          idempotencyKey: `k:${taskId}`,
          contextId: 'c',
          createdAt: new Date().toISOString(),
        },
        taskId,
      );
      await Promise.race([
        first,
        new Promise((_, reject) => setTimeout(() => reject(new Error('no event')), 2_000)),
      ]);
      expect(seen).toEqual([1]);
      expect(flushes).toBe(0);
      sub.unsubscribe();
    } finally {
      edge.nc.flush = flush;
      onRoute.unsubscribe();
    }
  });

  it("hands this process's committed changes to its own feeds at once, and still emits them on NATS", async () => {
    const local = new LocalStatus(logger);
    const ports = natsPorts(edge, 'unit', 'router', logger, local);
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
