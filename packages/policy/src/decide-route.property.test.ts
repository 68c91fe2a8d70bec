import { type Origin, TIERS, type Tier, tierRank } from '@forge/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BudgetScopeKey } from './budget-scope.js';
import { budgetView } from './budget-view.js';
import { decideRoute, type RouteDecision, type RouteRequest, type RouteStepKind } from './decide-route.js';
import { nextEscalation } from './escalation.js';
import { MODEL_TIERS, type ModelTier } from './model-tier.js';
import { routingConfigFromObject } from './parse-routing-config.js';
import type { RoutingConfig } from './routing-config.js';

const AGENTS = ['scout', 'compliance', 'diary', 'ops'] as const;
const SKILLS = ['scout.score', 'scout.fetch', 'compliance.review', 'diary.synthesize', 'ops.triage'] as const;
const PRINCIPALS = ['alice', 'bob'] as const;
const PARTNERS = ['acme', 'globex'] as const;
const STEP_ORDER: RouteStepKind[] = ['base', 'rule', 'max-tier', 'budget', 'critical-floor'];

const price = (input: number, output: number) => ({ input, output, readOn: '2026-11-29' });
const PRICES = {
  'anthropic:claude-haiku-5.5': price(0.1, 0.5),
  'openai:gpt-6-luna': price(0.1, 0.5),
  'openai-compatible:local/llama3': price(0, 0),
  'anthropic:claude-sonnet-5.5': price(2, 10),
  'openai:gpt-6-sol': price(2, 10),
  'openai-compatible:local/qwen': price(0, 0),
  'anthropic:claude-opus-5.5': price(4, 20),
  'openai:gpt-6-astra': price(10, 50),
};
const POOLS: Record<ModelTier, string[]> = {
  small: [
    'anthropic:claude-haiku-5.5',
    'openai:gpt-6-luna',
    'offline:small',
    'openai-compatible:local/llama3',
  ],
  mid: ['anthropic:claude-sonnet-5.5', 'openai:gpt-6-sol', 'openai-compatible:local/qwen'],
  frontier: ['anthropic:claude-opus-5.5', 'openai:gpt-6-astra', 'offline:frontier'],
};

const tier = fc.constantFrom(...TIERS);
const modelTier = fc.constantFrom(...MODEL_TIERS);
const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const oneOrMany = <T>(values: readonly T[]) =>
  fc.oneof(fc.constantFrom(...values), fc.uniqueArray(fc.constantFrom(...values), { minLength: 1 }));

const limit = fc.record({
  usd: fc.oneof(
    fc.constant(0),
    fc.integer({ min: 1, max: 100_000 }).map((cents) => cents / 100),
  ),
  onExhausted: fc.constantFrom('downgrade', 'queue', 'reject'),
  downgradeAtPct: opt(fc.integer({ min: 1, max: 100 })),
});

const route = fc
  .record({ tier: opt(tier), critical: opt(fc.constant(true as const)), maxTier: opt(modelTier) })
  .map((r) => {
    if (r.critical) {
      return { ...r, tier: r.tier === undefined ? undefined : 'frontier', maxTier: r.maxTier && 'frontier' };
    }
    if (r.tier && r.maxTier && tierRank(r.tier) > tierRank(r.maxTier)) return { ...r, maxTier: undefined };
    return r;
  });

const when = fc
  .record(
    {
      skill: oneOrMany(['*', 'scout.*', '*.review', 'ops.triage']),
      agent: oneOrMany(AGENTS),
      origin: oneOrMany(['schedule', 'a2a', 'agent', 'partner'] as const),
      partner: oneOrMany(PARTNERS),
      principal: oneOrMany(PRINCIPALS),
      inputTokensAbove: fc.integer({ min: 0, max: 300_000 }),
      inputTokensAtMost: fc.integer({ min: 0, max: 300_000 }),
      jsonRequested: fc.boolean(),
      toolsRequested: fc.boolean(),
      pendingTasksAbove: fc.integer({ min: 0, max: 1000 }),
      utcHours: fc
        .record({ from: fc.integer({ min: 0, max: 23 }), to: fc.integer({ min: 0, max: 24 }) })
        .filter((h) => h.from !== h.to),
    },
    { requiredKeys: [] },
  )
  .filter((w) => Object.keys(w).length > 0);

const effect = fc
  .record({ atLeast: opt(modelTier), atMost: opt(modelTier) })
  .filter((t) => t.atLeast !== undefined || t.atMost !== undefined)
  .map((t) =>
    t.atLeast && t.atMost && tierRank(t.atLeast) > tierRank(t.atMost) ? { atLeast: t.atMost } : t,
  );

const subsetRecord = <T>(keys: readonly string[], value: fc.Arbitrary<T>) =>
  fc.record(Object.fromEntries(keys.map((k) => [k, value])) as Record<string, fc.Arbitrary<T>>, {
    requiredKeys: [],
  });

const configArb: fc.Arbitrary<RoutingConfig> = fc
  .record({
    tiers: fc.record({
      small: fc.shuffledSubarray(POOLS.small, { minLength: 1 }),
      mid: fc.shuffledSubarray(POOLS.mid, { minLength: 1 }),
      frontier: fc.shuffledSubarray(POOLS.frontier, { minLength: 1 }),
    }),
    routes: subsetRecord(SKILLS, route),
    rules: fc.array(fc.record({ when, tier: effect }), { maxLength: 6 }),
    budgets: fc.record({
      month: opt(limit),
      perAgent: subsetRecord(AGENTS, limit),
      perTier: subsetRecord(MODEL_TIERS, limit),
      perPrincipal: subsetRecord(PRINCIPALS, limit),
    }),
    principals: subsetRecord(
      PRINCIPALS,
      fc.record({ defaultRoute: fc.oneof(tier, fc.constant('auto' as const)) }),
    ),
  })
  .map((c) =>
    routingConfigFromObject(
      {
        version: 'prop-1',
        prices: PRICES,
        providers: { openaiCompatible: { local: { baseUrl: 'http://127.0.0.1:8080/v1' } } },
        ...c,
        rules: c.rules.map((r, i) => ({ name: `r${i}`, ...r })),
      },
      'property',
    ),
  );

const origin: fc.Arbitrary<Origin> = fc.oneof(
  fc
    .constantFrom('schedule', 'a2a', 'agent')
    .map((kind) => ({ kind, brain: 'main', by: 'someone' }) as Origin),
  fc
    .constantFrom(...PARTNERS)
    .map((partner) => ({ kind: 'partner', brain: 'main', partner, by: `${partner}:bot` }) as Origin),
);

/** Usage as a share of each scope's cap: unused, part-used, near, at or past it. */
const fill = fc.oneof(
  fc.constantFrom(0, 0.5, 0.79, 0.8, 0.9, 0.95, 1, 1.5),
  fc.double({ min: 0, max: 2, noNaN: true }),
);

type Case = Omit<RouteRequest, 'budget'> & { fills: Record<string, number>; exhaustAll: boolean };

const caseArb: fc.Arbitrary<Case> = fc.record({
  config: configArb,
  skill: fc
    .record({ skill: fc.constantFrom(...SKILLS), tierHint: tier, critical: fc.boolean() })
    .map((s) => ({ ...s, agent: s.skill.slice(0, s.skill.indexOf('.')) })),
  input: fc.record(
    {
      tokensEstimate: fc.integer({ min: 0, max: 400_000 }),
      jsonRequested: fc.boolean(),
      toolsRequested: fc.boolean(),
    },
    { requiredKeys: ['tokensEstimate'] },
  ),
  origin,
  principal: opt(fc.constantFrom(...PRINCIPALS)),
  load: opt(fc.record({ pendingTasks: fc.integer({ min: 0, max: 2000 }) })),
  now: fc.date({
    min: new Date('2026-01-01T00:00:00Z'),
    max: new Date('2027-12-31T23:59:59Z'),
    noInvalidDate: true,
  }),
  fills: fc.record(
    Object.fromEntries(
      [
        'month',
        ...AGENTS.map((a) => `agent:${a}`),
        ...MODEL_TIERS.map((t) => `tier:${t}`),
        ...PRINCIPALS.map((p) => `principal:${p}`),
      ].map((key) => [key, fill]),
    ),
  ),
  exhaustAll: fc.boolean(),
});

function requestOf(c: Case): RouteRequest {
  const view = budgetView(c.config);
  const usage: Partial<Record<BudgetScopeKey, { spentMicros: number; reservedMicros: number }>> = {};
  for (const [key, budget] of Object.entries(view.scopes) as [BudgetScopeKey, { limitMicros: number }][]) {
    const used = c.exhaustAll ? budget.limitMicros + 1 : Math.floor(budget.limitMicros * (c.fills[key] ?? 0));
    const reserved = Math.floor(used / 3);
    usage[key] = { spentMicros: used - reserved, reservedMicros: reserved };
  }
  const { fills: _fills, exhaustAll: _exhaustAll, ...request } = c;
  return { ...request, budget: budgetView(c.config, usage) };
}

function isCritical(r: RouteRequest): boolean {
  return r.skill.critical || r.config.routes[r.skill.skill]?.critical === true;
}

function baseTier(r: RouteRequest): Tier {
  const routed = r.config.routes[r.skill.skill]?.tier;
  if (routed) return routed;
  const principalRoute =
    r.principal === undefined ? undefined : r.config.principals[r.principal]?.defaultRoute;
  if (principalRoute && principalRoute !== 'auto') return principalRoute;
  return r.skill.tierHint;
}

function checkInvariants(r: RouteRequest, d: RouteDecision): void {
  const critical = isCritical(r);
  expect(d.critical).toBe(critical);
  // A critical skill is never routed below frontier and never downgraded.
  if (critical) {
    expect(d.tier).toBe('frontier');
    expect(d.budgetAction).not.toBe('downgraded');
    expect(d.steps.at(-1)?.kind).toBe('critical-floor');
  }
  // A tool task is never blocked, queued or rejected, and costs nothing.
  if (baseTier(r) === 'tool' && !critical) {
    expect([d.tier, d.model, d.budgetAction, d.budgetScopes]).toEqual(['tool', null, 'none', []]);
  }
  if (d.tier === 'tool') expect(d.budgetAction).toBe('none');
  expect(d.model).toBe(d.tier === 'tool' ? null : r.config.tiers[d.tier][0]);
  // Reasons: non-empty, the steps in words, in the fixed order, the last one explaining the tier.
  expect(d.reasons.length).toBeGreaterThan(0);
  expect(d.reasons).toEqual(d.steps.map((s) => s.text));
  expect(d.steps[0]?.kind).toBe('base');
  const order = d.steps.map((s) => STEP_ORDER.indexOf(s.kind));
  expect(order).toEqual([...order].sort((a, b) => a - b));
  expect(d.steps.at(-1)?.tier).toBe(d.tier);
  for (const step of d.steps) expect(step.text).toContain(step.tier);
  // The budget only ever lowers a tier, and says so when it does.
  const budgetAt = d.steps.findIndex((s) => s.kind === 'budget');
  if (d.budgetAction === 'downgraded') {
    expect(budgetAt).toBeGreaterThan(0);
    expect(tierRank(d.steps[budgetAt]!.tier)).toBeLessThan(tierRank(d.steps[budgetAt - 1]!.tier));
  }
  if (d.budgetAction === 'queue' || d.budgetAction === 'reject') expect(budgetAt).toBeGreaterThan(0);
  // Escalation from the decided tier never passes the ceiling.
  const ceiling = critical ? 'frontier' : d.maxTier;
  if (d.tier !== 'tool') expect(tierRank(d.tier)).toBeLessThanOrEqual(tierRank(ceiling));
  let current: Tier | null = d.tier;
  for (let hops = 0; current !== null; hops++) {
    expect(hops).toBeLessThan(TIERS.length);
    expect(tierRank(current)).toBeLessThanOrEqual(Math.max(tierRank(ceiling), tierRank(d.tier)));
    current = nextEscalation({ currentTier: current, maxTier: d.maxTier, critical });
  }
}

describe('decideRoute properties', () => {
  it('holds the routing invariants over random configs, skills, origins, budgets and loads', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const request = requestOf(c);
        checkInvariants(request, decideRoute(request));
      }),
      { numRuns: 300 },
    );
  });

  it('holds them when every budget is exhausted', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const request = requestOf({ ...c, exhaustAll: true });
        const d = decideRoute(request);
        checkInvariants(request, d);
        if (isCritical(request)) expect(d.tier).toBe('frontier');
      }),
      { numRuns: 150 },
    );
  });

  it('is deterministic, also for an equal config parsed again', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const request = requestOf(c);
        const again = routingConfigFromObject(JSON.parse(JSON.stringify(request.config)), 'again');
        const first = decideRoute(request);
        expect(decideRoute(request)).toEqual(first);
        expect(decideRoute({ ...request, config: again })).toEqual(first);
      }),
      { numRuns: 100 },
    );
  });

  it('escalates one tier at a time and never above maxTier', () => {
    fc.assert(
      fc.property(tier, modelTier, fc.boolean(), (currentTier, maxTier, critical) => {
        const next = nextEscalation({ currentTier, maxTier, critical });
        if (next === null) return;
        expect(currentTier).not.toBe('tool');
        expect(tierRank(next)).toBe(tierRank(currentTier) + 1);
        expect(tierRank(next)).toBeLessThanOrEqual(tierRank(critical ? 'frontier' : maxTier));
      }),
    );
  });
});
