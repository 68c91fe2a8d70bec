import { randomUUID } from 'node:crypto';
import { TIERS } from '@forge/contracts';
import { routingConfigFromObject, zeroCostRoutingConfig } from '@forge/policy';
import { budgetPeriod, createPool, migrate, PgBudgetRepository, schemaForBrain } from '@forge/store';
import { type TestBrain, testBrain } from '@forge/testkit';
import fc from 'fast-check';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quietLogger, testRoutingConfig } from '../../test/harness.js';
import { RouteDecider } from './route-decider.js';

const LOCAL = 'openai-compatible:local/llama3';

let brain: TestBrain;
let pool: pg.Pool;
let budgets: PgBudgetRepository;

beforeAll(async () => {
  brain = await testBrain('prop');
  const schema = schemaForBrain(brain.name);
  await migrate({ databaseUrl: brain.databaseUrl, schema, logger: quietLogger() });
  pool = createPool({ connectionString: brain.databaseUrl, max: 4, logger: quietLogger() });
  budgets = new PgBudgetRepository(pool, schema);
});

afterAll(async () => {
  await pool?.end();
  await brain?.cleanup();
});

const limit = fc.record({
  usd: fc.integer({ min: 0, max: 500 }).map((cents) => cents / 100),
  onExhausted: fc.constantFrom('downgrade' as const, 'queue' as const, 'reject' as const),
  downgradeAtPct: fc.integer({ min: 1, max: 100 }),
});
/** How much of a cap is already used: none, some, nearly all, all, or more. */
const used = fc.constantFrom(0, 0.5, 0.85, 0.95, 1, 1.5);

describe('routing against live budgets (property)', () => {
  it('never routes a critical skill below frontier, never blocks a tool task nor a tier with a $0 model', async () => {
    let year = 2000;
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          month: fc.option(limit, { nil: undefined }),
          agent: fc.option(limit, { nil: undefined }),
          tiers: fc.record({
            small: fc.option(limit, { nil: undefined }),
            mid: fc.option(limit, { nil: undefined }),
            frontier: fc.option(limit, { nil: undefined }),
          }),
          usedMonth: used,
          usedAgent: used,
          usedTier: used,
          tierHint: fc.constantFrom(...TIERS),
          critical: fc.boolean(),
          backlog: fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }),
          offline: fc.boolean(),
          // A $0 local model beside the paid ones in every tier.
          local: fc.boolean(),
        }),
        async (c) => {
          // Every run gets a month of its own, so the spend seeded here is seen by this run only.
          const now = new Date(Date.UTC(year++, 5, 15));
          const agent = `a${randomUUID().slice(0, 8)}`;
          const perTier = Object.fromEntries(Object.entries(c.tiers).filter(([, v]) => v !== undefined));
          const base = await testRoutingConfig();
          const config = routingConfigFromObject(
            await testRoutingConfig({
              ...(c.local
                ? {
                    tiers: {
                      small: [...base.tiers.small, LOCAL],
                      mid: [...base.tiers.mid, LOCAL],
                      frontier: [...base.tiers.frontier, LOCAL],
                    },
                    prices: { ...base.prices, [LOCAL]: { input: 0, output: 0, readOn: '2026-11-29' } },
                    providers: {
                      ...base.providers,
                      openaiCompatible: { local: { baseUrl: 'http://127.0.0.1:9/v1' } },
                    },
                  }
                : {}),
              routes: {},
              rules: [{ name: 'backlog', when: { pendingTasksAbove: 500 }, tier: { atMost: 'small' } }],
              budgets: {
                ...(c.month ? { month: c.month } : {}),
                perAgent: c.agent ? { [agent]: c.agent } : {},
                perTier,
              },
            }),
            'property',
          );
          const seed = async (scope: string, usd: number | undefined, fraction: number) => {
            if (usd === undefined) return;
            const micros = Math.round(usd * 1_000_000 * fraction);
            const id = randomUUID();
            await budgets.admit({
              reservationId: id,
              period: budgetPeriod(now),
              scopes: [{ scope, capMicros: null }],
              amountMicros: micros,
              ttlMs: 60_000,
            });
            await budgets.settle([{ reservationId: id, actualMicros: micros }]);
          };
          await seed('month', c.month?.usd, c.usedMonth);
          await seed(`agent:${agent}`, c.agent?.usd, c.usedAgent);
          for (const [tier, l] of Object.entries(perTier)) await seed(`tier:${tier}`, l?.usd, c.usedTier);
          // Offline: every tier is served by its $0 stand-in, as with no keys configured.
          const effective = c.offline
            ? Object.freeze({
                ...config,
                tiers: { small: ['offline:small'], mid: ['offline:mid'], frontier: ['offline:frontier'] },
              })
            : config;
          const decider = new RouteDecider({ budgets, backlog: () => c.backlog });
          const { decision } = await decider.decide(
            effective,
            {
              skill: { skill: `${agent}.work`, agent, tierHint: c.tierHint, critical: c.critical },
              origin: { kind: 'schedule', brain: brain.name, by: 'nightly' },
              tokensEstimate: 100,
            },
            now,
            zeroCostRoutingConfig(effective),
          );
          if (c.critical) {
            expect(decision.tier).toBe('frontier');
            expect(decision.budgetAction).not.toBe('downgraded');
          }
          if (c.tierHint === 'tool' && !c.critical) {
            expect(decision.tier).toBe('tool');
            expect(decision.budgetAction).toBe('none');
          }
          if (c.offline) expect(['none', 'downgraded']).toContain(decision.budgetAction);
          // A tier with a $0 model is never blocked by a budget: every tier has one here.
          if (c.local) expect(decision.budgetAction).toBe('none');
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('the budget view a decision waits for', () => {
  it('a tool task records a recent view (at most toolViewMaxAgeMs old); a model task always reads a fresh one', async () => {
    const now = new Date(Date.UTC(1999, 0, 15));
    const agent = `a${randomUUID().slice(0, 8)}`;
    const config = routingConfigFromObject(
      await testRoutingConfig({ routes: {}, budgets: { month: { usd: 100, onExhausted: 'reject' } } }),
      'views',
    );
    const spend = async (micros: number) => {
      const id = randomUUID();
      const scopes = [{ scope: 'month', capMicros: null }];
      await budgets.admit({
        reservationId: id,
        period: budgetPeriod(now),
        scopes,
        amountMicros: micros,
        ttlMs: 60_000,
      });
      await budgets.settle([{ reservationId: id, actualMicros: micros }]);
    };
    // As the router's task decider (a fresh view for every model task); the tool view's age
    // bound stretched so a slow machine cannot end it between the two tool decisions.
    const decider = new RouteDecider({ budgets, viewTtlMs: 0, toolViewMaxAgeMs: 60_000 });
    const decide = (tierHint: (typeof TIERS)[number]) =>
      decider.decide(
        config,
        {
          skill: { skill: `${agent}.work`, agent, tierHint, critical: false },
          origin: { kind: 'schedule', brain: brain.name, by: 'nightly' },
          tokensEstimate: 10,
        },
        now,
      );
    const spent = (budget: { scopes: Record<string, unknown> }) =>
      (budget.scopes.month as { spentMicros: number } | undefined)?.spentMicros;

    const first = await decide('tool');
    expect(first.decision).toMatchObject({ tier: 'tool', budgetAction: 'none' });
    await spend(1_000_000);
    // The tool task's decision cannot depend on the budget: the view read for the first is reused.
    const second = await decide('tool');
    expect(spent(second.budget)).toBe(spent(first.budget));
    // A model task's can: it reads the spend as it is now.
    const model = await decide('small');
    expect(spent(model.budget)).toBe((spent(first.budget) ?? 0) + 1_000_000);
    // And a tool task after it records that view (the newest read).
    expect(spent((await decide('tool')).budget)).toBe(spent(model.budget));
  });
});
