import { randomUUID } from 'node:crypto';
import { type TestBrain, testBrain } from '@forge/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope, quietLogger, routing } from '../test/fixtures.js';
import { migrate } from './migrate.js';
import { PgTaskRepository } from './pg-task-repository.js';
import { createPool } from './pool.js';
import { PgRoutingDecisionRepository, type RoutingDecisionRecord } from './routing-decision-repository.js';
import { schemaForBrain } from './schema-name.js';

let brain: TestBrain;
let pool: pg.Pool;
let repo: PgRoutingDecisionRepository;
let tasks: PgTaskRepository;

beforeAll(async () => {
  brain = await testBrain('decisions');
  const schema = schemaForBrain(brain.name);
  await migrate({ databaseUrl: brain.databaseUrl, schema, logger: quietLogger() });
  pool = createPool({ connectionString: brain.databaseUrl, max: 2, logger: quietLogger() });
  repo = new PgRoutingDecisionRepository(pool, schema);
  tasks = new PgTaskRepository(pool, schema);
});

afterAll(async () => {
  await pool?.end();
  await brain?.cleanup();
});

function record(overrides: Partial<RoutingDecisionRecord> = {}): RoutingDecisionRecord {
  return {
    taskId: randomUUID(),
    skill: 'scout.score-headlines',
    agent: 'scout',
    origin: { kind: 'partner', brain: 'alpha', partner: 'acme', by: 'acme-bot' },
    critical: false,
    maxTier: 'mid',
    decision: routing({ decidedAt: '2026-11-02T10:00:00.123Z' }),
    status: 'routed',
    budget: { month: { spentMicros: 10, reservedMicros: 0, capMicros: 100 } },
    ...overrides,
  };
}

describe('PgRoutingDecisionRepository', () => {
  it('keeps the first decision of a task', async () => {
    const first = record();
    expect(await repo.record(first)).toEqual({ record: first, created: true });
    const second = record({
      taskId: first.taskId,
      decision: routing({ tier: 'frontier', model: 'anthropic:claude-opus-5.5' }),
    });
    expect(await repo.record(second)).toEqual({ record: first, created: false });
    expect(await repo.get(first.taskId)).toEqual(first);
    expect(await repo.get(randomUUID())).toBeNull();
  });

  it('queues a task for approval once, with the envelope to forward', async () => {
    const queued = record({ status: 'queued' });
    await repo.record(queued);
    const task = envelope({ id: queued.taskId, routing: queued.decision });
    const approval = {
      taskId: queued.taskId,
      skill: queued.skill,
      agent: queued.agent,
      tier: queued.decision.tier,
      reason: 'budget month exhausted: queued for approval',
      envelope: task,
    };
    await repo.queueForApproval(approval);
    await repo.queueForApproval({ ...approval, reason: 'second' });
    expect(await repo.approval(queued.taskId)).toEqual({ ...approval, status: 'pending' });
  });

  it('records a new routed decision and stamps it on the task in one statement', async () => {
    const { record: task } = await tasks.create(envelope());
    const first = record({ taskId: task.id });
    expect(await repo.recordAndStamp(first)).toEqual({
      record: first,
      created: true,
      stamped: first.decision,
    });
    expect((await tasks.get(task.id))?.routing).toEqual(first.decision);
  });

  it('keeps the first decision and leaves the stamp to the caller when one is stored', async () => {
    const { record: task } = await tasks.create(envelope());
    const first = record({ taskId: task.id });
    await repo.recordAndStamp(first);
    const second = record({
      taskId: task.id,
      decision: routing({ tier: 'frontier', model: 'anthropic:claude-opus-5.5' }),
    });
    expect(await repo.recordAndStamp(second)).toEqual({ record: first, created: false, stamped: null });
    expect((await tasks.get(task.id))?.routing).toEqual(first.decision);
  });

  it('stamps nothing for a decision that is not routed, or a task with no row yet', async () => {
    const { record: task } = await tasks.create(envelope());
    const rejected = record({ taskId: task.id, status: 'rejected' });
    expect(await repo.recordAndStamp(rejected)).toEqual({ record: rejected, created: true, stamped: null });
    expect((await tasks.get(task.id))?.routing).toBeUndefined();
    const rowless = record();
    expect(await repo.recordAndStamp(rowless)).toEqual({ record: rowless, created: true, stamped: null });
    expect(await tasks.get(rowless.taskId)).toBeNull();
  });

  it('answers with the routing a task already holds, never replacing it', async () => {
    const held = routing({ tier: 'mid', model: 'openai:gpt-6-sol' });
    const { record: task } = await tasks.create(envelope({ routing: held }));
    const decided = record({ taskId: task.id });
    expect(await repo.recordAndStamp(decided)).toEqual({ record: decided, created: true, stamped: held });
    expect((await tasks.get(task.id))?.routing).toEqual(held);
  });
});
