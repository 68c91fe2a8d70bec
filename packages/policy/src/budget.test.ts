import { isForgeError } from '@forge/contracts';
import { describe, expect, it } from 'vitest';
import type { BudgetScopeKey } from './budget-scope.js';
import {
  admissionDecision,
  type BudgetView,
  budgetStatus,
  budgetView,
  taskBudgetScopes,
} from './budget-view.js';
import type { BudgetLimit } from './budgets-config.js';
import { decideRoute, type RouteRequest } from './decide-route.js';
import type { RoutingConfig, RoutingConfigInput } from './routing-config.js';
import { baseConfigObject, makeConfig, manifest, NOON, SCHEDULE } from './test-config.fixture.js';

const USD = 1_000_000;
type Usage = Partial<Record<BudgetScopeKey, { spentMicros: number; reservedMicros: number }>>;
type LimitInput = { usd: number; onExhausted: BudgetLimit['onExhausted']; downgradeAtPct?: number };

function spent(usd: number, reservedUsd = 0) {
  return { spentMicros: Math.round(usd * USD), reservedMicros: Math.round(reservedUsd * USD) };
}

function withBudgets(
  budgets: RoutingConfigInput['budgets'],
  extra: Partial<RoutingConfigInput> = {},
): RoutingConfig {
  return makeConfig({ budgets, ...extra });
}

function decide(config: RoutingConfig, usage: Usage, over: Partial<RouteRequest> = {}) {
  return decideRoute({
    skill: manifest('marketing.write-copy', 'frontier'),
    config,
    input: { tokensEstimate: 1000 },
    origin: SCHEDULE,
    budget: budgetView(config, usage),
    now: NOON,
    ...over,
  });
}

const limit = (usd: number, onExhausted: LimitInput['onExhausted'], downgradeAtPct?: number): LimitInput =>
  downgradeAtPct === undefined ? { usd, onExhausted } : { usd, onExhausted, downgradeAtPct };

describe('budget view, status and admission', () => {
  const config = withBudgets({
    month: limit(100, 'downgrade'),
    perAgent: { scout: limit(10, 'queue') },
    perTier: { frontier: limit(50, 'reject') },
    perPrincipal: { alice: limit(5, 'reject') },
  });

  it('builds a view with every configured cap in micro-USD, usage defaulting to zero', () => {
    const view = budgetView(config, { 'agent:scout': spent(3, 1), 'agent:ghost': spent(99) });
    expect(view.scopes).toEqual({
      month: { limitMicros: 100 * USD, spentMicros: 0, reservedMicros: 0 },
      'agent:scout': { limitMicros: 10 * USD, spentMicros: 3 * USD, reservedMicros: USD },
      'tier:frontier': { limitMicros: 50 * USD, spentMicros: 0, reservedMicros: 0 },
      'principal:alice': { limitMicros: 5 * USD, spentMicros: 0, reservedMicros: 0 },
    });
  });

  it('refuses usage that is not integer micro-USD, naming the scope', () => {
    const error = (() => {
      try {
        budgetView(config, { month: { spentMicros: 1.5, reservedMicros: 0 } });
      } catch (e) {
        return e;
      }
    })();
    expect(isForgeError(error, 'BAD_INPUT')).toBe(true);
    expect((error as Error).message).toBe(
      'usage["month"].spentMicros: must be a non-negative integer (micro-USD)',
    );
  });

  it('lists the scopes a task pays into, only those capped, none for tool', () => {
    expect(taskBudgetScopes(config, { agent: 'scout', tier: 'frontier', principal: 'alice' })).toEqual([
      'month',
      'agent:scout',
      'principal:alice',
      'tier:frontier',
    ]);
    expect(taskBudgetScopes(config, { agent: 'diary', tier: 'mid' })).toEqual(['month']);
    expect(taskBudgetScopes(config, { agent: 'scout', tier: 'tool', principal: 'alice' })).toEqual([]);
  });

  it('says which scopes are exhausted and what remains in the tightest', () => {
    const view = budgetView(config, { month: spent(60, 10), 'agent:scout': spent(9, 1) });
    const status = budgetStatus(view, ['month', 'agent:scout', 'agent:diary']);
    expect(status.exhausted).toEqual(['agent:scout']);
    expect(status.remainingMicros).toBe(0);
    expect(status.scopes.map((s) => [s.key, s.usedPct, s.remainingMicros])).toEqual([
      ['month', 70, 30 * USD],
      ['agent:scout', 100, 0],
    ]);
    expect(budgetStatus(view, ['agent:diary']).remainingMicros).toBeNull();
  });

  it('admits a reservation only if it fits every scope; $0 always fits', () => {
    const view = budgetView(config, { month: spent(99), 'tier:frontier': spent(50) });
    expect(admissionDecision(view, ['month'], USD)).toEqual({ admit: true, blocking: [] });
    const refused = admissionDecision(view, ['month', 'tier:frontier'], USD + 1);
    expect(refused.admit).toBe(false);
    expect(refused.blocking.map((s) => s.key)).toEqual(['month', 'tier:frontier']);
    expect(admissionDecision(view, ['month', 'tier:frontier'], 0).admit).toBe(true);
    expect(() => admissionDecision(view, ['month'], -1)).toThrow(
      'amountMicros: must be a non-negative integer',
    );
  });

  it('with a cap worth k calls admits exactly k reservations made one after another', () => {
    const callMicros = 40_000; // 25 calls fill the $1 cap exactly
    const cap = withBudgets({ month: limit(1, 'reject') });
    let view: BudgetView = budgetView(cap);
    let admitted = 0;
    for (let i = 0; i < 100; i++) {
      if (!admissionDecision(view, ['month'], callMicros).admit) continue;
      admitted++;
      const month = view.scopes.month!;
      view = {
        scopes: { ...view.scopes, month: { ...month, reservedMicros: month.reservedMicros + callMicros } },
      };
    }
    expect(admitted).toBe(Math.floor(USD / callMicros));
  });
});

describe('budget step of a decision', () => {
  it('downgrades to small when a shared scope passes its downgrade point, naming it', () => {
    const config = withBudgets({ month: limit(100, 'downgrade', 80) });
    expect(decide(config, { month: spent(79) }).tier).toBe('frontier');
    const decision = decide(config, { month: spent(79, 1) });
    expect(decision.tier).toBe('small');
    expect(decision.budgetAction).toBe('downgraded');
    expect(decision.reasons.at(-1)).toBe('budget month 80% used (downgrades from 80%): downgrade to small');
    expect(decision.model).toBe('anthropic:claude-haiku-5.5');
    expect(decision.budgetScopes).toEqual(['month']);
  });

  it('queues when a downgrade scope shared by every tier is exhausted (no cheaper tier fits)', () => {
    const config = withBudgets({ month: limit(100, 'downgrade') });
    const decision = decide(config, { month: spent(100) });
    expect(decision.budgetAction).toBe('queue');
    expect(decision.tier).toBe('frontier');
    expect(decision.reasons.at(-1)).toBe(
      'budget month 100% used: no cheaper tier fits, queue for approval at frontier',
    );
  });

  it('moves an exhausted tier cap to the next lower tier that has room', () => {
    const config = withBudgets({
      perTier: { frontier: limit(50, 'downgrade'), mid: limit(20, 'downgrade') },
    });
    expect(decide(config, { 'tier:frontier': spent(50) }).tier).toBe('mid');
    const both = decide(config, { 'tier:frontier': spent(50), 'tier:mid': spent(19) });
    expect(both.tier).toBe('small');
    expect(both.reasons.at(-1)).toBe('budget tier frontier 100% used: downgrade to small');
  });

  it('queues or rejects as the exhausted scope says, reject first', () => {
    const config = withBudgets({
      month: limit(100, 'queue'),
      perAgent: { marketing: limit(10, 'reject') },
    });
    const queued = decide(config, { month: spent(100) });
    expect(queued.budgetAction).toBe('queue');
    expect(queued.reasons.at(-1)).toBe('budget month 100% used: queue for approval at frontier');
    const rejected = decide(config, { month: spent(100), 'agent:marketing': spent(10) });
    expect(rejected.budgetAction).toBe('reject');
    expect(rejected.reasons.at(-1)).toBe('budget agent marketing 100% used: reject at frontier');
  });

  it('counts reservations as used, and a zero cap as exhausted', () => {
    const config = withBudgets({ perPrincipal: { alice: limit(0, 'reject'), bob: limit(1, 'reject') } });
    expect(decide(config, {}, { principal: 'alice' }).budgetAction).toBe('reject');
    expect(decide(config, { 'principal:bob': spent(0.5, 0.5) }, { principal: 'bob' }).budgetAction).toBe(
      'reject',
    );
    expect(decide(config, { 'principal:bob': spent(0.5, 0.4) }, { principal: 'bob' }).budgetAction).toBe(
      'none',
    );
  });

  it('never downgrades a critical skill: it stays frontier while money remains, then queues', () => {
    const config = withBudgets({ perTier: { frontier: limit(50, 'downgrade') } });
    const skill = manifest('compliance.review', 'frontier', true);
    const tight = decide(config, { 'tier:frontier': spent(46) }, { skill });
    expect(tight.tier).toBe('frontier');
    expect(tight.budgetAction).toBe('none');
    expect(tight.reasons).toContain(
      'budget tier frontier 92% used (downgrades from 90%): a critical skill is never downgraded, stays frontier',
    );
    // The same tier cap sends a non-critical frontier task to mid.
    expect(decide(config, { 'tier:frontier': spent(46) }).tier).toBe('mid');
    const spentOut = decide(config, { 'tier:frontier': spent(50) }, { skill });
    expect(spentOut.tier).toBe('frontier');
    expect(spentOut.budgetAction).toBe('queue');
  });

  it('judges a critical skill at frontier even when its hint and route say less', () => {
    const config = withBudgets({ perTier: { frontier: limit(10, 'reject') } }, {});
    const skill = manifest('compliance.review', 'tool', true);
    const decision = decide(config, { 'tier:frontier': spent(10) }, { skill });
    expect(decision.tier).toBe('frontier');
    expect(decision.budgetAction).toBe('reject');
    expect(decision.budgetScopes).toEqual(['tier:frontier']);
  });

  it('never limits a tool task, nor a tier whose models all cost $0', () => {
    const base = baseConfigObject();
    const config = withBudgets(
      { month: limit(0, 'reject') },
      {
        tiers: { ...base.tiers, small: ['offline:small', 'openai-compatible:local/llama3'] },
        prices: {
          ...base.prices,
          'openai-compatible:local/llama3': { input: 0, output: 0, readOn: '2026-11-29' },
        },
        providers: { openaiCompatible: { local: { baseUrl: 'http://127.0.0.1:8080/v1' } } },
      },
    );
    const tool = decide(config, {}, { skill: manifest('scout.parse-feed', 'tool') });
    expect([tool.tier, tool.budgetAction, tool.budgetScopes]).toEqual(['tool', 'none', []]);
    const free = decide(config, {}, { skill: manifest('scout.score', 'small') });
    expect([free.tier, free.budgetAction]).toEqual(['small', 'none']);
    expect(free.reasons.at(-1)).toBe('budget month 100% used: tier small costs $0 here, not limited');
    // A priced tier above it is rejected by the same exhausted cap.
    expect(decide(config, {}).budgetAction).toBe('reject');
  });
});
