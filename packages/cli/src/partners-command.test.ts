import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TASK_ENVELOPE_VERSION, type TaskEnvelope } from '@forge/contracts';
import type { PartnerOverview } from '@forge/ledger-views';
import { createPool, migrate, PgTaskRepository, schemaForBrain } from '@forge/store';
import { createLogger } from '@forge/telemetry';
import { type TestBrain, testBrain } from '@forge/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { memoryIo } from './io.js';

const silent = createLogger({ name: 'test', level: 'silent' });

/** `forge partners` against the real Postgres: partner tasks and ledger rows as the mesh writes them. */
describe('forge partners against the real Postgres', () => {
  let brain: TestBrain;
  let pool: pg.Pool;
  let stateDir: string;
  let env: Record<string, string>;
  const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);

  const envelope = (partner: string, createdAt: Date): TaskEnvelope => ({
    v: TASK_ENVELOPE_VERSION,
    id: randomUUID(),
    skill: 'scout.recent-items',
    input: {},
    origin: { kind: 'partner', brain: brain.name, partner, by: `partner:${partner}` },
    idempotencyKey: randomUUID(),
    contextId: randomUUID(),
    createdAt: createdAt.toISOString(),
  });
  const ledger = (partner: string | null, cost: number, at: Date, outcome = 'ok') =>
    pool.query(
      `insert into ${schemaForBrain(brain.name)}.cost_ledger (task_id, attempt, call_id, seq, source, skill, agent,
         brain, partner, tier, provider, model, offline, input_tokens, output_tokens, cache_read_tokens,
         cache_write_5m_tokens, cache_write_1h_tokens, reasoning_tokens, cost_micros, shadow_cost_micros, latency_ms,
         outcome, created_at)
       values (gen_random_uuid(), 1, 1, 1, 'task', 'scout.recent-items', 'scout', $1, $2, 'small', 'anthropic',
         'anthropic:m', false, 10, 5, 0, 0, 0, 0, $3, 0, 50, $5, $4)`,
      [brain.name, partner, cost, at, outcome],
    );

  beforeAll(async () => {
    brain = await testBrain('clipartners');
    stateDir = await mkdtemp(join(tmpdir(), 'forge-partners-'));
    env = { DATABASE_URL: brain.databaseUrl, FORGE_STATE_DIR: stateDir, FORGE_BRAIN: brain.name };
    const db = schemaForBrain(brain.name);
    await migrate({ databaseUrl: brain.databaseUrl, schema: db, logger: silent });
    pool = createPool({ connectionString: brain.databaseUrl, max: 2, logger: silent });
    const tasks = new PgTaskRepository(pool, db);
    // b: one call an hour ago (completed) and one five hours ago (failed); the ledger's rows for both.
    const recent = envelope('b', hoursAgo(1));
    const older = envelope('b', hoursAgo(5));
    for (const e of [recent, older]) {
      await tasks.create(e);
      await tasks.transition(e.id, { to: 'working' });
    }
    await tasks.transition(recent.id, { to: 'completed', output: {} });
    await tasks.transition(older.id, { to: 'failed', error: { code: 'TIMEOUT', message: 'too slow' } });
    await ledger('b', 2_000, hoursAgo(1));
    await ledger('b', 30_000, hoursAgo(5));
    await ledger(null, 1_000_000, hoursAgo(1));
    // An attempt the budget refused: a ledger row at no cost, not a model call.
    await ledger('b', 0, hoursAgo(1), 'refused');
  });
  afterAll(async () => {
    await pool?.end();
    await brain?.cleanup();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  it('prints calls, errors and spend per partner as JSON, for the window and the last 24 hours', async () => {
    const io = memoryIo(env);
    expect(await runCli(['partners', '--since', '1d', '--json'], io)).toBe(0);
    const out = JSON.parse(io.stdout[0]!) as PartnerOverview & { brain: string; currency: string };
    expect(out.brain).toBe(brain.name);
    expect(out.currency).toBe('USD');
    expect(out.window.partners.map((p) => p.partner)).toEqual(['b']);
    expect(out.window.partners[0]!.inbound).toMatchObject({
      calls: 2,
      completed: 1,
      failed: 1,
      errors: 1,
      errorRate: 0.5,
      spendMicros: 32_000,
      modelCalls: 2,
      refusedCalls: 1,
    });
    expect(out.window.recentFailures).toEqual([
      expect.objectContaining({ partner: 'b', direction: 'inbound', state: 'failed', message: 'too slow' }),
    ]);
    expect(out.last24h.totals.inbound).toMatchObject({ calls: 2, spendMicros: 32_000 });
  });

  it('takes --since in hours: 2h holds only the recent call and its spend', async () => {
    const io = memoryIo(env);
    expect(await runCli(['partners', '--since', '2h', '--json'], io)).toBe(0);
    const out = JSON.parse(io.stdout[0]!) as PartnerOverview;
    expect(out.window.partners[0]!.inbound).toMatchObject({
      calls: 1,
      completed: 1,
      errors: 0,
      spendMicros: 2_000,
    });
    const human = memoryIo(env);
    expect(await runCli(['partners', '--since', '2h'], human)).toBe(0);
    expect(human.stdout.find((l) => l.trimStart().startsWith('b '))).toMatch(
      /^\s+b\s+1\s+1\s+0\s+0\.0%\s+\$0\.002\s+0\s+0\s/,
    );
    expect(human.stdout).toContain('    tier small: 1 model calls, $0.002 (1 refused by budget)');
  });

  it('refuses a --since it cannot read, naming the forms (exit 2)', async () => {
    const io = memoryIo(env);
    expect(await runCli(['partners', '--since', 'yesterday'], io)).toBe(2);
    expect(io.stderr.join('\n')).toContain('invalid --since: must be a number of hours (24h) or days (7d)');
  });
});
