import { randomUUID } from 'node:crypto';
import { isForgeError } from '@forge/contracts';
import { type TestBrain, testBrain } from '@forge/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quietLogger } from '../test/fixtures.js';
import { type CostLedgerEntry, PgCostLedger } from './cost-ledger-repository.js';
import { migrate } from './migrate.js';
import { createPool } from './pool.js';
import { schemaForBrain } from './schema-name.js';

let brain: TestBrain;
let pool: pg.Pool;
let ledger: PgCostLedger;

beforeAll(async () => {
  brain = await testBrain('ledger');
  const schema = schemaForBrain(brain.name);
  await migrate({ databaseUrl: brain.databaseUrl, schema, logger: quietLogger() });
  pool = createPool({ connectionString: brain.databaseUrl, max: 2, logger: quietLogger() });
  ledger = new PgCostLedger(pool, schema);
});

afterAll(async () => {
  await pool?.end();
  await brain?.cleanup();
});

function entry(overrides: Partial<CostLedgerEntry> = {}): CostLedgerEntry {
  return {
    taskId: randomUUID(),
    attempt: 1,
    callId: 0,
    seq: 0,
    source: 'task',
    skill: 'scout.score',
    agent: 'scout',
    brain: 'alpha',
    partner: null,
    principal: 'alice',
    tier: 'small',
    provider: 'anthropic',
    model: 'claude-haiku-5.5',
    offline: false,
    standsInFor: null,
    inputTokens: 1200,
    outputTokens: 300,
    cacheReadTokens: 5000,
    cacheWrite5mTokens: 700,
    cacheWrite1hTokens: 100,
    reasoningTokens: 40,
    usageEstimated: false,
    rawUsage: { input_tokens: 1200, output_tokens: 300 },
    costMicros: 9_007_199_254_740_000,
    shadowCostMicros: 0,
    latencyMs: 412,
    outcome: 'ok',
    escalated: false,
    fellBack: false,
    reason: null,
    createdAt: new Date().toISOString(),
    ...overrides,
  };
}

describe('PgCostLedger', () => {
  it('keeps every column exactly, money up to 2^53 included', async () => {
    const first = entry();
    const fallback = entry({
      taskId: first.taskId,
      seq: 1,
      outcome: 'rate_limited',
      fellBack: true,
      reason: 'anthropic:claude-haiku-5.5 answered 429',
      costMicros: 0,
    });
    expect(await ledger.append([first, fallback])).toBe(2);
    const rows = await ledger.forTask(first.taskId);
    expect(rows).toEqual([first, fallback]);
  });

  it('does not bill a replayed row twice', async () => {
    const row = entry();
    expect(await ledger.append([row])).toBe(1);
    expect(await ledger.append([row, { ...row, seq: 1 }])).toBe(1);
    expect(await ledger.forTask(row.taskId)).toHaveLength(2);
  });

  it('reads the rows since a time, oldest first, as spend reports need them', async () => {
    // A schema of its own, so rows the other tests wrote do not count here.
    const schema = `${schemaForBrain(brain.name)}_since`;
    await migrate({ databaseUrl: brain.databaseUrl, schema, logger: quietLogger() });
    const own = new PgCostLedger(pool, schema);
    try {
      const taskId = randomUUID();
      const old = entry({ taskId, createdAt: '2026-03-31T23:59:59.999Z' });
      const later = entry({
        taskId,
        seq: 1,
        tier: 'mid',
        agent: null,
        model: 'offline:mid',
        offline: true,
        standsInFor: 'anthropic:claude-sonnet-5',
        costMicros: 0,
        shadowCostMicros: 9_007_199_254_740_991,
        createdAt: '2026-04-02T10:00:00.000Z',
      });
      const first = entry({ createdAt: '2026-04-01T00:00:00.000Z', model: 'anthropic:claude-haiku-5.5' });
      await own.append([old, later, first]);
      const rows = await own.usageSince(new Date('2026-04-01T00:00:00.000Z'));
      expect(rows).toEqual([
        {
          at: new Date(first.createdAt),
          tier: 'small',
          agent: 'scout',
          model: 'anthropic:claude-haiku-5.5',
          offline: false,
          usage: {
            inputTokens: 1200,
            outputTokens: 300,
            cacheReadTokens: 5000,
            cacheWriteTokens: 700,
            cacheWrite1hTokens: 100,
            reasoningTokens: 40,
          },
          costMicros: 9_007_199_254_740_000,
          shadowCostMicros: 0,
        },
        expect.objectContaining({
          at: new Date(later.createdAt),
          tier: 'mid',
          agent: null,
          offline: true,
          costMicros: 0,
          shadowCostMicros: 9_007_199_254_740_991,
        }),
      ]);
      expect(await own.usageSince(new Date('2026-05-01T00:00:00.000Z'))).toEqual([]);
      await expect(own.usageSince(new Date('not a date'))).rejects.toMatchObject({ code: 'BAD_INPUT' });
    } finally {
      await pool.query(`DROP SCHEMA "${schema}" CASCADE`);
    }
  });

  it('refuses a charged offline row, naming the field', async () => {
    const error = await ledger
      .append([entry({ offline: true, costMicros: 5, standsInFor: 'anthropic:claude-haiku-5.5' })])
      .catch((e: unknown) => e);
    expect(isForgeError(error, 'BAD_INPUT')).toBe(true);
    expect((error as Error).message).toMatch(/entries\.0\.costMicros/);
  });
});

describe('call history', () => {
  it("reads a skill's answered calls, one time per call, newest first", async () => {
    const taskId = randomUUID();
    const skill = `diary.history-${randomUUID().slice(0, 8)}`;
    const at = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
    await ledger.append([
      entry({ taskId, skill, callId: 0, seq: 0, outcome: 'rate_limited', createdAt: at(30) }),
      entry({ taskId, skill, callId: 0, seq: 1, createdAt: at(29) }),
      entry({ taskId, skill, callId: 1, seq: 0, createdAt: at(10) }),
      entry({ taskId, skill, callId: 2, seq: 0, createdAt: at(60 * 30) }),
      entry({ taskId, skill: 'other.skill', callId: 3, seq: 0, createdAt: at(5) }),
    ]);
    const times = await ledger.recentCalls(skill, new Date(Date.now() - 86_400_000), 10);
    expect(times.map((t) => Math.round((Date.now() - t.getTime()) / 60_000))).toEqual([10, 29]);
    expect(await ledger.recentCalls(skill, new Date(Date.now() - 86_400_000), 1)).toHaveLength(1);
  });
});
