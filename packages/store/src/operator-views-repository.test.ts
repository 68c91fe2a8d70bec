import { type TestBrain, testBrain } from '@forge/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope, quietLogger, routing } from '../test/fixtures.js';
import { migrate } from './migrate.js';
import { PgOperatorViews } from './operator-views-repository.js';
import { PgTaskRepository } from './pg-task-repository.js';
import { createPool } from './pool.js';
import { PgRoutingDecisionRepository } from './routing-decision-repository.js';
import { schemaForBrain } from './schema-name.js';
import { PgSkillRegistry } from './skill-registry.js';

describe('PgOperatorViews (real Postgres)', () => {
  let brain: TestBrain;
  let pool: pg.Pool;
  let schema: string;
  let views: PgOperatorViews;
  const ids = { routed: '', open: '', direct: '' };

  const ledger = (
    taskId: string,
    row: { cost: number; shadow?: number; model: string; seq: number; escalated?: boolean },
  ) =>
    pool.query(
      `insert into ${schema}.cost_ledger (task_id, attempt, call_id, seq, source, skill, agent, brain, tier, provider, model,
         offline, input_tokens, output_tokens, cache_read_tokens, cache_write_5m_tokens, cache_write_1h_tokens,
         reasoning_tokens, cost_micros, shadow_cost_micros, latency_ms, outcome, escalated, reason)
       values ($1, 1, 1, $2, 'task', 'scout.score-headlines', 'scout', 'alpha', 'mid', 'anthropic', $3, $4, 10, 5, 0, 0, 0, 0,
         $5, $6, 50, 'ok', $7, $8)`,
      [
        taskId,
        row.seq,
        row.model,
        (row.shadow ?? 0) > 0,
        row.cost,
        row.shadow ?? 0,
        row.escalated ?? false,
        row.escalated ? 'low confidence' : null,
      ],
    );

  beforeAll(async () => {
    brain = await testBrain('opviews');
    schema = schemaForBrain(brain.name);
    await migrate({ databaseUrl: brain.databaseUrl, schema, logger: quietLogger() });
    pool = createPool({ connectionString: brain.databaseUrl, max: 2, logger: quietLogger() });
    views = new PgOperatorViews(pool, schema);
    const tasks = new PgTaskRepository(pool, schema);
    const decisions = new PgRoutingDecisionRepository(pool, schema);
    await new PgSkillRegistry(pool, schema).register([
      {
        skill: 'scout.score-headlines',
        agent: 'scout',
        description: 'score',
        tierHint: 'mid',
        critical: false,
        inputSchema: {},
        outputSchema: {},
      },
    ]);
    const at = (minutes: number) => new Date(Date.UTC(2026, 11, 6, 8, minutes)).toISOString();
    const routed = envelope({ createdAt: at(0) });
    const open = envelope({ createdAt: at(1) });
    const direct = envelope({ createdAt: at(2), skill: 'publisher.publish' });
    for (const e of [routed, open, direct]) await tasks.create(e);
    ids.routed = routed.id;
    ids.open = open.id;
    ids.direct = direct.id;
    await tasks.transition(routed.id, { to: 'working', from: ['submitted'] });
    await tasks.transition(routed.id, { to: 'completed', from: ['working'], output: { ok: true } });
    for (const [taskId, tier] of [
      [routed.id, 'mid'],
      [open.id, 'small'],
    ] as const) {
      await decisions.record({
        taskId,
        skill: 'scout.score-headlines',
        agent: 'scout',
        origin: { kind: 'a2a', brain: 'alpha', by: 'alice' },
        critical: false,
        maxTier: 'frontier',
        decision: routing({ tier, model: `anthropic:${tier}`, reasons: [`budget: ${tier}`] }),
        status: 'routed',
        budget: {},
      });
    }
    await ledger(routed.id, { cost: 1200, model: 'anthropic:mid', seq: 1 });
    await ledger(routed.id, { cost: 3400, model: 'anthropic:frontier', seq: 2, escalated: true });
    await ledger(open.id, { cost: 0, shadow: 700, model: 'offline:small', seq: 1 });
  });
  afterAll(async () => {
    await pool.end();
    await brain.cleanup();
  });

  it('lists tasks newest first with their tier, last model and ledger sums; offline shadow apart', async () => {
    const rows = await views.recentTasks({ limit: 10 });
    expect(rows.map((r) => r.id)).toEqual([ids.direct, ids.open, ids.routed]);
    const [direct, open, routed] = rows;
    expect(routed).toMatchObject({
      state: 'completed',
      tier: 'mid',
      model: 'anthropic:frontier',
      costMicros: 4600,
      shadowMicros: 0,
      calls: 2,
      escalated: true,
      origin: 'a2a by alice',
    });
    expect(open).toMatchObject({
      tier: 'small',
      costMicros: 0,
      shadowMicros: 700,
      calls: 1,
      escalated: false,
    });
    expect(direct).toMatchObject({ tier: null, model: null, costMicros: 0, calls: 0, state: 'submitted' });
    expect((await views.recentTasks({ limit: 10, open: true })).map((r) => r.id)).toEqual([
      ids.direct,
      ids.open,
    ]);
    expect((await views.recentTasks({ limit: 10, skill: 'publisher.publish' })).map((r) => r.id)).toEqual([
      ids.direct,
    ]);
  });

  it('gives decisions with the manifest tier (a downgrade shows) and the escalations from the ledger', async () => {
    const decisions = await views.recentDecisions(10);
    const open = decisions.find((d) => d.taskId === ids.open)!;
    expect(open).toMatchObject({
      tier: 'small',
      tierHint: 'mid',
      status: 'routed',
      reasons: ['budget: small'],
    });
    const escalations = await views.recentEscalations(10);
    expect(escalations).toEqual([
      expect.objectContaining({
        taskId: ids.routed,
        escalated: true,
        model: 'anthropic:frontier',
        reason: 'low confidence',
      }),
    ]);
  });
});
