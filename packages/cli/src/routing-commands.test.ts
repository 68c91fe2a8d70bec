import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SkillManifest } from '@forge/contracts';
import type { CostReport, RouteExplanation } from '@forge/ledger-views';
import {
  budgetPeriod,
  type CostLedgerEntry,
  createPool,
  migrate,
  PgBudgetRepository,
  PgCostLedger,
  PgSkillRegistry,
  schemaForBrain,
} from '@forge/store';
import { createLogger } from '@forge/telemetry';
import { type TestBrain, testBrain } from '@forge/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { memoryIo } from './io.js';

const silent = createLogger({ name: 'test', level: 'silent' });
const schema = { type: 'object' };
const manifest = (skill: string, tierHint: SkillManifest['tierHint'], critical = false): SkillManifest => ({
  skill,
  agent: skill.slice(0, skill.indexOf('.')),
  description: skill,
  tierHint,
  critical,
  inputSchema: schema,
  outputSchema: schema,
});

function entry(fields: Partial<CostLedgerEntry>): CostLedgerEntry {
  return {
    taskId: randomUUID(),
    attempt: 1,
    callId: 0,
    seq: 0,
    source: 'task',
    skill: 'engagement.draft-reply',
    agent: 'engagement',
    brain: 'x',
    partner: null,
    principal: 'operator',
    tier: 'mid',
    provider: 'anthropic',
    model: 'anthropic:claude-sonnet-5.5',
    offline: false,
    standsInFor: null,
    inputTokens: 1000,
    outputTokens: 100,
    cacheReadTokens: 0,
    cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0,
    reasoningTokens: 0,
    usageEstimated: false,
    rawUsage: null,
    costMicros: 3000,
    shadowCostMicros: 0,
    latencyMs: 5,
    outcome: 'ok',
    escalated: false,
    fellBack: false,
    reason: null,
    createdAt: new Date().toISOString(),
    ...fields,
  };
}

/**
 * `forge route explain` and `forge costs` against the real Postgres: a brain migrated, skills
 * registered, spend settled and ledger rows written as the router would, then the commands read
 * them through DATABASE_URL with the repository's routing config.
 */
describe('route explain and costs against the real Postgres', () => {
  let brain: TestBrain;
  let pool: pg.Pool;
  let stateDir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    brain = await testBrain('clirt');
    stateDir = await mkdtemp(join(tmpdir(), 'forge-route-'));
    env = { DATABASE_URL: brain.databaseUrl, FORGE_STATE_DIR: stateDir, FORGE_BRAIN: brain.name };
    const db = schemaForBrain(brain.name);
    await migrate({ databaseUrl: brain.databaseUrl, schema: db, logger: silent });
    pool = createPool({ connectionString: brain.databaseUrl, max: 2, logger: silent });
    await new PgSkillRegistry(pool, db).register([
      manifest('compliance.review', 'frontier', true),
      manifest('scout.parse-feed', 'tool'),
      manifest('engagement.draft-reply', 'mid'),
    ]);
    // $1.234567 settled against the month and the frontier tier, as the gateway would.
    const budgets = new PgBudgetRepository(pool, db);
    const reservationId = randomUUID();
    const period = budgetPeriod();
    await budgets.admit({
      reservationId,
      period,
      scopes: [
        { scope: 'month', capMicros: null },
        { scope: 'tier:frontier', capMicros: null },
      ],
      amountMicros: 2_000_000,
      ttlMs: 60_000,
    });
    await budgets.settle([{ reservationId, actualMicros: 1_234_567 }]);
    await new PgCostLedger(pool, db).append([
      entry({ brain: brain.name }),
      entry({
        brain: brain.name,
        agent: 'scout',
        skill: 'scout.score-headlines',
        tier: 'small',
        provider: 'offline',
        model: 'offline:small',
        offline: true,
        standsInFor: 'anthropic:claude-haiku-5.5',
        inputTokens: 2000,
        outputTokens: 50,
        costMicros: 0,
        shadowCostMicros: 225,
      }),
    ]);
  });

  afterAll(async () => {
    await pool?.end();
    await brain?.cleanup();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  it('explains compliance.review as frontier by its critical floor, with the budgets as spent', async () => {
    const io = memoryIo({ ...env, ANTHROPIC_API_KEY: 'sk-ant-test-not-used' });
    expect(await runCli(['route', 'explain', 'compliance.review', '--json'], io)).toBe(0);
    expect(io.stdout.join('\n')).not.toContain('sk-ant-test-not-used');
    const explained = JSON.parse(io.stdout[0]!) as RouteExplanation & { providers: string[] };
    expect(explained).toMatchObject({
      skill: 'compliance.review',
      tier: 'frontier',
      model: 'anthropic:claude-opus-5.5',
      critical: true,
      budgetAction: 'none',
      providers: ['anthropic'],
    });
    expect(explained.reasons.at(-1)).toMatch(/^critical floor: frontier/);
    expect(explained.budgets.find((b) => b.scope === 'month')?.usedMicros).toBe(1_234_567);
    expect(explained.budgets.find((b) => b.scope === 'tier:frontier')?.usedMicros).toBe(1_234_567);
  });

  it('names the offline stand-in as the model when no provider key is set, as the router would', async () => {
    const io = memoryIo(env);
    expect(await runCli(['route', 'explain', 'engagement.draft-reply', '--json'], io)).toBe(0);
    expect(JSON.parse(io.stdout[0]!)).toMatchObject({ tier: 'mid', model: 'offline:mid', providers: [] });
  });

  it('explains a tool skill as $0 code, and says why in words without --json', async () => {
    const io = memoryIo(env);
    expect(await runCli(['route', 'explain', 'scout.parse-feed'], io)).toBe(0);
    expect(io.stdout[0]).toBe('scout.parse-feed → tool (plain code, no model, $0)');
    expect(io.stdout).toContain('    1. base: route in config says tool');
  });

  it('answers an unknown skill with the known ones, exit 1', async () => {
    const io = memoryIo(env);
    expect(await runCli(['route', 'explain', 'scout.nothing'], io)).toBe(1);
    expect(io.stderr).toEqual([
      'forge: unknown skill scout.nothing; known skills: compliance.review, engagement.draft-reply, scout.parse-feed',
    ]);
  });

  it('says clearly when there is no registry to read', async () => {
    const io = memoryIo({ FORGE_STATE_DIR: stateDir });
    expect(await runCli(['route', 'explain', 'compliance.review', '--brain', 'nomesh'], io)).toBe(1);
    expect(io.stderr[0]).toMatch(
      /^forge: cannot reach brain nomesh's registry and ledger: no forge up is running for it .* and DATABASE_URL is not set/,
    );
    const unmigrated = memoryIo({ ...env, FORGE_BRAIN: 'nevermigrated' });
    expect(await runCli(['costs'], unmigrated)).toBe(1);
    expect(unmigrated.stderr[0]).toMatch(
      /^forge: brain nevermigrated has no routing tables in forge_nevermigrated/,
    );
  });

  it('reports spend and shadow apart, against the all-frontier baseline, with money in micro-USD', async () => {
    const io = memoryIo(env);
    expect(await runCli(['costs', '--since', '1d', '--json'], io)).toBe(0);
    const report = JSON.parse(io.stdout[0]!) as CostReport & { brain: string; currency: string };
    expect(report.brain).toBe(brain.name);
    expect(report.totals).toMatchObject({ calls: 2, offlineCalls: 1, spendMicros: 3000, shadowMicros: 225 });
    // Opus at 4/20 per million: 1000 × 4 + 100 × 20, and 2000 × 4 + 50 × 20.
    expect(report.allFrontier).toMatchObject({
      model: 'anthropic:claude-opus-5.5',
      allFrontierMicros: 6000 + 9000,
      routedListMicros: 3225,
      ratio: 0.215,
    });
    expect(report.byTier.map((row) => row.tier)).toEqual(['small', 'mid']);
    expect(report.byAgent.map((row) => [row.agent, row.spendMicros, row.shadowMicros])).toEqual([
      ['engagement', 3000, 0],
      ['scout', 0, 225],
    ]);
    const human = memoryIo(env);
    expect(await runCli(['costs', '--since', '1d'], human)).toBe(0);
    expect(human.stdout[1]).toBe(
      '  spend $0.003 over 2 model calls; offline: 1 call, shadow $0.000225 (list price of the stand-ins, not charged, not in spend)',
    );
  });
});
