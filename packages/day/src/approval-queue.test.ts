import { randomUUID } from 'node:crypto';
import { Bus } from '@forge/bus';
import { TASK_ENVELOPE_VERSION, TaskEnvelope } from '@forge/contracts';
import {
  createPool,
  migrate,
  PgApprovalRepository,
  PgRoutingDecisionRepository,
  PgTaskRepository,
  schemaForBrain,
} from '@forge/store';
import { createLogger } from '@forge/telemetry';
import { type TestBrain, testBrain } from '@forge/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApprovalWatcher } from './approval-notifier.js';
import { ApprovalQueue } from './approval-queue.js';
import { createTaskSubmitter } from './submit-task.js';

const logger = createLogger({ name: 'queue-test', level: 'silent' });

describe('ApprovalQueue over real NATS and Postgres', () => {
  let brain: TestBrain;
  let pool: pg.Pool;
  let bus: Bus;
  let repo: PgApprovalRepository;
  let tasks: PgTaskRepository;
  let queue: ApprovalQueue;
  const received: { subject: string; envelope: TaskEnvelope }[] = [];

  beforeAll(async () => {
    brain = await testBrain('queue');
    const schema = schemaForBrain(brain.name);
    await migrate({ databaseUrl: brain.databaseUrl, schema, logger });
    pool = createPool({ connectionString: brain.databaseUrl, max: 4, logger });
    bus = await Bus.connect({ servers: brain.natsUrl, name: 'queue-test', brain: brain.name, logger });
    await bus.ensureStreams();
    repo = new PgApprovalRepository(pool, schema);
    tasks = new PgTaskRepository(pool, schema);
    queue = new ApprovalQueue({
      repo,
      submitter: createTaskSubmitter({ tasks, bus, dispatch: 'router' }),
      tasks,
      bus,
      brain: brain.name,
      logger,
    });
    for (const subject of [bus.subjects.taskRoute, bus.subjects.taskRun('marketing')]) {
      const consumer = bus.consumer({
        stream: bus.subjects.streams.tasks.name,
        durable: `t-${subject.split('.').at(-1)}`,
        filterSubject: subject,
        schema: TaskEnvelope,
        concurrency: 4,
        handler: async (envelope) => {
          received.push({ subject, envelope });
        },
      });
      await consumer.start();
    }
  });
  afterAll(async () => {
    await bus?.drain();
    await pool?.end();
    await brain?.cleanup();
  });

  const until = async <T>(fn: () => T | undefined): Promise<T> => {
    for (let i = 0; i < 200; i++) {
      const v = fn();
      if (v !== undefined) return v;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('timed out');
  };

  it('hands an approved post to the publisher through the router, once, keyed by the approval', async () => {
    const { item } = await queue.add({
      id: randomUUID(),
      sourceKey: `gate:${randomUUID()}`,
      status: 'pending',
      channel: 'x',
      draft: 'Routing is the bill.',
      verdict: null,
      originTaskId: null,
      requestedBy: 'engagement',
    });
    const approved = await queue.approve(item.id, 'brad', { text: 'Routing is the whole bill.' });
    expect(approved).toMatchObject({
      status: 'approved',
      text: 'Routing is the whole bill.',
      decidedBy: 'brad',
    });
    const handed = await until(() =>
      received.find((r) => (r.envelope.input as { approvalId?: string }).approvalId === item.id),
    );
    expect(handed).toMatchObject({
      subject: bus.subjects.taskRoute,
      envelope: {
        skill: 'publisher.schedule-approved',
        idempotencyKey: `publish:${item.id}`,
        origin: { kind: 'agent', by: 'compliance' },
      },
    });
    // A retry of the hand-off (the watcher after a crash) is the same task.
    expect(await queue.retryHandOffs()).toBe(0);
    const { record } = await tasks.create({ ...handed.envelope, id: randomUUID() });
    expect(record.id).toBe(handed.envelope.id);
    await expect(queue.reject(item.id, 'eve', { reason: 'too late' })).rejects.toMatchObject({
      code: 'ILLEGAL_TRANSITION',
    });
  });

  it('releases an approved budget item to its agent and ends a rejected one, recording who decided', async () => {
    const decisions = new PgRoutingDecisionRepository(pool, schemaForBrain(brain.name));
    const held = async () => {
      const envelope: TaskEnvelope = {
        v: TASK_ENVELOPE_VERSION,
        id: randomUUID(),
        skill: 'marketing.write-copy',
        input: { brief: 'a post about routing', channel: 'x' },
        origin: { kind: 'schedule', brain: brain.name, by: 'schedule:post-copy' },
        idempotencyKey: `k-${randomUUID()}`,
        contextId: 'c',
        createdAt: new Date().toISOString(),
      };
      await tasks.create(envelope);
      const routing = {
        tier: 'mid' as const,
        model: null,
        reasons: ['budget'],
        policyVersion: 'v',
        decidedAt: new Date().toISOString(),
      };
      await decisions.record({
        taskId: envelope.id,
        skill: envelope.skill,
        agent: 'marketing',
        origin: envelope.origin,
        critical: false,
        maxTier: 'mid',
        decision: routing,
        status: 'queued',
        budget: {},
      });
      await decisions.queueForApproval({
        taskId: envelope.id,
        skill: envelope.skill,
        agent: 'marketing',
        tier: 'mid',
        reason: 'queued for approval: tier:mid spent',
        envelope: { ...envelope, routing },
      });
      return envelope;
    };
    const a = await held();
    const b = await held();
    const sent: string[] = [];
    const watcher = new ApprovalWatcher({
      repo,
      queue,
      send: async (i) => void sent.push(i.id),
      pollMs: 1000,
      logger,
    });
    await watcher.runOnce();
    expect(sent).toEqual(expect.arrayContaining([a.id, b.id]));

    expect(await queue.approve(a.id, 'brad', {})).toMatchObject({
      kind: 'budget',
      status: 'approved',
      decidedBy: 'brad',
    });
    const released = await until(() => received.find((r) => r.envelope.id === a.id));
    expect(released.subject).toBe(bus.subjects.taskRun('marketing'));
    expect(released.envelope.routing?.tier).toBe('mid');

    expect(await queue.reject(b.id, 'brad', { reason: 'not this month' })).toMatchObject({
      status: 'rejected',
    });
    expect(await tasks.get(b.id)).toMatchObject({ state: 'rejected', error: { code: 'BUDGET_EXHAUSTED' } });
    expect((await queue.get(b.id)).decisions.map((d) => [d.action, d.actor, d.reason])).toEqual([
      ['reject', 'brad', 'not this month'],
    ]);
  });
});
