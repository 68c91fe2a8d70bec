import type { TaskEnvelope, TaskState } from '@forge/contracts';
import { type TestBrain, testBrain } from '@forge/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope, quietLogger } from '../test/fixtures.js';
import { migrate } from './migrate.js';
import { PgPartnerViews } from './partner-views-repository.js';
import { PgTaskRepository } from './pg-task-repository.js';
import { createPool } from './pool.js';
import { schemaForBrain } from './schema-name.js';

describe('PgPartnerViews (real Postgres)', () => {
  let brain: TestBrain;
  let pool: pg.Pool;
  let schema: string;
  let views: PgPartnerViews;
  let tasks: PgTaskRepository;
  const at = (day: number, hour: number) => new Date(Date.UTC(2026, 11, day, hour));
  const ids: Record<string, string> = {};

  const inbound = (partner: string, skill: TaskEnvelope['skill'], createdAt: Date) =>
    envelope({
      skill,
      createdAt: createdAt.toISOString(),
      origin: { kind: 'partner', brain: 'alpha', partner, by: `partner:${partner}` },
      owner: `partner:${partner}`,
    });
  const outbound = (target: string, createdAt: Date) =>
    envelope({ skill: 'partners.ask', createdAt: createdAt.toISOString(), input: { target, input: {} } });

  /** Creates the task and moves it to `state` (through working where the rules ask for it). */
  const task = async (
    name: string,
    e: TaskEnvelope,
    state: TaskState,
    updatedAt?: Date,
    error = { code: 'PROVIDER_ERROR', message: 'model down' },
  ) => {
    await tasks.create(e);
    ids[name] = e.id;
    if (state === 'submitted') return;
    if (state === 'rejected') {
      await tasks.transition(e.id, { to: 'rejected', error: { code: 'FORBIDDEN', message: 'not shared' } });
    } else {
      await tasks.transition(e.id, { to: 'working' });
      if (state === 'failed') await tasks.transition(e.id, { to: 'failed', error });
      else if (state !== 'working') await tasks.transition(e.id, { to: state });
    }
    if (updatedAt)
      await pool.query(`update ${schema}.tasks set updated_at = $2 where id = $1`, [e.id, updatedAt]);
  };

  const ledger = (row: {
    partner: string | null;
    skill: string;
    tier: string;
    cost: number;
    shadow?: number;
    at: Date;
    outcome?: string;
  }) =>
    pool.query(
      `insert into ${schema}.cost_ledger (task_id, attempt, call_id, seq, source, skill, agent, brain, partner, tier,
         provider, model, offline, input_tokens, output_tokens, cache_read_tokens, cache_write_5m_tokens,
         cache_write_1h_tokens, reasoning_tokens, cost_micros, shadow_cost_micros, latency_ms, outcome, created_at)
       values (gen_random_uuid(), 1, 1, 1, 'task', $1, 'scout', 'alpha', $2, $3, 'anthropic', 'anthropic:m', $4,
         10, 5, 0, 0, 0, 0, $5, $6, 50, $8, $7)`,
      [
        row.skill,
        row.partner,
        row.tier,
        (row.shadow ?? 0) > 0,
        row.cost,
        row.shadow ?? 0,
        row.at,
        row.outcome ?? 'ok',
      ],
    );

  beforeAll(async () => {
    brain = await testBrain('partnerviews');
    schema = schemaForBrain(brain.name);
    await migrate({ databaseUrl: brain.databaseUrl, schema, logger: quietLogger() });
    pool = createPool({ connectionString: brain.databaseUrl, max: 2, logger: quietLogger() });
    views = new PgPartnerViews(pool, schema);
    tasks = new PgTaskRepository(pool, schema);
    // Partner b: three calls of scout.recent-items this month (one failed), one rejected, one open.
    await task('b1', inbound('b', 'scout.recent-items', at(2, 9)), 'completed');
    await task('b2', inbound('b', 'scout.recent-items', at(3, 9)), 'completed');
    await task('bFailed', inbound('b', 'scout.recent-items', at(4, 9)), 'failed', at(4, 10));
    await task('bRejected', inbound('b', 'compliance.check-text', at(5, 9)), 'rejected', at(5, 9));
    await task('bOpen', inbound('b', 'compliance.check-text', at(5, 11)), 'working');
    // Partner c: one call, canceled; and one last month (outside the window).
    await task('cCanceled', inbound('c', 'scout.recent-items', at(3, 12)), 'canceled', at(3, 13));
    await task('cOld', inbound('c', 'scout.recent-items', new Date(Date.UTC(2026, 10, 28))), 'failed');
    // Outbound: we asked b for compliance twice (one failed); a local task of no partner.
    await task('outOk', outbound('partner/b/compliance.check-text', at(4, 8)), 'completed');
    await task('outFailed', outbound('partner/b/compliance.check-text', at(4, 12)), 'failed', at(4, 12));
    await task('local', envelope({ createdAt: at(4, 9).toISOString() }), 'failed');
    // Outbound targets that name no partner the call reached: not a partner's call. A name that
    // is no name, a skill that is no `<agent>.<skill>`, and the gateway's own refusals (not in
    // the registry; not allowed to ask b for that skill).
    await task('outBadName', outbound('partner/Nope!/compliance.check-text', at(4, 13)), 'failed');
    await task('outBadSkill', outbound('partner/b/not a skill', at(4, 13)), 'failed');
    await task(
      'outUnknown',
      outbound('partner/nosuch/compliance.check-text', at(4, 14)),
      'failed',
      at(4, 14),
      {
        code: 'FORBIDDEN',
        message: "no partner nosuch in this brain's registry",
      },
    );
    await task('outNotAllowed', outbound('partner/b/diary.note', at(4, 14)), 'failed', at(4, 14), {
      code: 'FORBIDDEN',
      message: 'this brain may not ask partner b for diary.note',
    });
    // b itself refusing us reached b: counted.
    await task('outRefusedByB', outbound('partner/b/scout.recent-items', at(4, 15)), 'failed', at(4, 15), {
      code: 'FORBIDDEN',
      message: 'partner b: this caller may not do that',
    });
    // The ledger: b's work by skill and tier, an offline row, c's, last month's, and a non-partner row.
    await ledger({ partner: 'b', skill: 'scout.recent-items', tier: 'small', cost: 1_000, at: at(2, 9) });
    await ledger({ partner: 'b', skill: 'scout.recent-items', tier: 'small', cost: 2_500, at: at(3, 9) });
    // An attempt the budget refused: a ledger row, no model call, no cost.
    await ledger({
      partner: 'b',
      skill: 'scout.recent-items',
      tier: 'small',
      cost: 0,
      at: at(3, 10),
      outcome: 'refused',
    });
    await ledger({ partner: 'b', skill: 'scout.recent-items', tier: 'mid', cost: 40_000, at: at(4, 9) });
    await ledger({
      partner: 'b',
      skill: 'compliance.check-text',
      tier: 'mid',
      cost: 0,
      shadow: 900,
      at: at(5, 9),
    });
    await ledger({ partner: 'c', skill: 'scout.recent-items', tier: 'small', cost: 300, at: at(3, 12) });
    await ledger({ partner: 'c', skill: 'scout.recent-items', tier: 'small', cost: 99_999, at: at(1, 0) });
    await ledger({
      partner: 'c',
      skill: 'scout.recent-items',
      tier: 'small',
      cost: 77_777,
      at: new Date(Date.UTC(2026, 10, 30)),
    });
    await ledger({ partner: null, skill: 'scout.recent-items', tier: 'small', cost: 5_000, at: at(4, 9) });
  });
  afterAll(async () => {
    await pool.end();
    await brain.cleanup();
  });

  it('counts calls per partner, direction and skill by state, inbound from partner origins and outbound from partners.ask that reached a partner', async () => {
    const activity = await views.activity({ since: at(1, 0), until: at(6, 0) });
    expect(activity.since).toBe(at(1, 0).toISOString());
    expect(activity.calls).toEqual([
      {
        partner: 'b',
        direction: 'inbound',
        skill: 'compliance.check-text',
        calls: 2,
        completed: 0,
        failed: 0,
        rejected: 1,
        canceled: 0,
        open: 1,
        lastCallAt: at(5, 11).toISOString(),
      },
      {
        partner: 'b',
        direction: 'inbound',
        skill: 'scout.recent-items',
        calls: 3,
        completed: 2,
        failed: 1,
        rejected: 0,
        canceled: 0,
        open: 0,
        lastCallAt: at(4, 9).toISOString(),
      },
      {
        partner: 'b',
        direction: 'outbound',
        skill: 'compliance.check-text',
        calls: 2,
        completed: 1,
        failed: 1,
        rejected: 0,
        canceled: 0,
        open: 0,
        lastCallAt: at(4, 12).toISOString(),
      },
      {
        partner: 'b',
        direction: 'outbound',
        skill: 'scout.recent-items',
        calls: 1,
        completed: 0,
        failed: 1,
        rejected: 0,
        canceled: 0,
        open: 0,
        lastCallAt: at(4, 15).toISOString(),
      },
      {
        partner: 'c',
        direction: 'inbound',
        skill: 'scout.recent-items',
        calls: 1,
        completed: 0,
        failed: 0,
        rejected: 0,
        canceled: 1,
        open: 0,
        lastCallAt: at(3, 12).toISOString(),
      },
    ]);
  });

  it('sums the ledger per partner, skill and tier in the window; rows without a partner are not counted', async () => {
    const { spend } = await views.activity({ since: at(1, 0), until: at(6, 0) });
    expect(spend).toEqual([
      {
        partner: 'b',
        skill: 'compliance.check-text',
        tier: 'mid',
        calls: 1,
        refused: 0,
        spendMicros: 0,
        shadowMicros: 900,
      },
      {
        partner: 'b',
        skill: 'scout.recent-items',
        tier: 'mid',
        calls: 1,
        refused: 0,
        spendMicros: 40_000,
        shadowMicros: 0,
      },
      {
        partner: 'b',
        skill: 'scout.recent-items',
        tier: 'small',
        // The refused attempt is a row, not a call.
        calls: 2,
        refused: 1,
        spendMicros: 3_500,
        shadowMicros: 0,
      },
      // Windowed by the ledger row's own time (what the gateway's partner budget sums): the row
      // at the window's first instant counts though its task (cOld) was made last month, so c
      // shows spend without a call of the window; last month's row does not count.
      {
        partner: 'c',
        skill: 'scout.recent-items',
        tier: 'small',
        calls: 2,
        refused: 0,
        spendMicros: 100_299,
        shadowMicros: 0,
      },
    ]);
    // The window is half-open: a row at `until` belongs to the next one.
    const day = await views.activity({ since: at(2, 9), until: at(3, 9) });
    expect(day.spend).toEqual([
      {
        partner: 'b',
        skill: 'scout.recent-items',
        tier: 'small',
        calls: 1,
        refused: 0,
        spendMicros: 1_000,
        shadowMicros: 0,
      },
    ]);
    expect(day.calls.map((c) => [c.partner, c.skill, c.calls])).toEqual([['b', 'scout.recent-items', 1]]);
  });

  it('lists the failed, rejected and canceled partner tasks newest first with their error message', async () => {
    const { failures } = await views.activity({ since: at(1, 0), until: at(6, 0) });
    expect(failures.map((f) => [f.taskId, f.direction, f.state])).toEqual([
      [ids.bRejected, 'inbound', 'rejected'],
      [ids.outRefusedByB, 'outbound', 'failed'],
      [ids.outFailed, 'outbound', 'failed'],
      [ids.bFailed, 'inbound', 'failed'],
      [ids.cCanceled, 'inbound', 'canceled'],
    ]);
    expect(failures[0]).toMatchObject({
      partner: 'b',
      skill: 'compliance.check-text',
      message: 'not shared',
      code: 'FORBIDDEN',
      createdAt: at(5, 9).toISOString(),
    });
    expect(failures[3]).toMatchObject({
      skill: 'scout.recent-items',
      message: 'model down',
      code: 'PROVIDER_ERROR',
    });
    expect(failures[4]!.message).toBeNull();
    const limited = await views.activity({ since: at(1, 0), until: at(6, 0), failureLimit: 2 });
    expect(limited.failures.map((f) => f.taskId)).toEqual([ids.bRejected, ids.outRefusedByB]);
  });
});
