import type { ModelUsage, Tier } from '@forge/contracts';
import { type RoutingConfigInput, routingConfigFromObject } from '@forge/policy';
import type { LedgerUsageRow } from '@forge/store';
import { describe, expect, it } from 'vitest';
import { buildCostReport } from './cost-report.js';

const price = (input: number, output: number) => ({ input, output, readOn: '2026-11-29' });
const BASE: RoutingConfigInput = {
  version: 'costs-test',
  tiers: {
    small: ['anthropic:claude-haiku-5.5'],
    mid: ['anthropic:claude-sonnet-5.5'],
    frontier: ['anthropic:claude-opus-5.5'],
  },
  prices: {
    'anthropic:claude-haiku-5.5': price(0.1, 0.5),
    'anthropic:claude-sonnet-5.5': price(2, 10),
    'anthropic:claude-opus-5.5': price(4, 20),
  },
  budgets: { month: { usd: 500, onExhausted: 'downgrade' } },
};
const CONFIG = routingConfigFromObject(BASE, 'test');

function usage(inputTokens: number, outputTokens: number): ModelUsage {
  return {
    inputTokens,
    outputTokens,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    cacheWrite1hTokens: 0,
    reasoningTokens: 0,
  };
}

function row(at: string, tier: Tier, agent: string, fields: Partial<LedgerUsageRow>): LedgerUsageRow {
  return {
    at: new Date(at),
    tier,
    agent,
    model: 'anthropic:claude-haiku-5.5',
    offline: false,
    usage: usage(0, 0),
    costMicros: 0,
    shadowCostMicros: 0,
    ...fields,
  };
}

// Prices in µ$ per token equal the USD per million: haiku 0.1/0.5, sonnet 2/10, opus 4/20.
const ROWS: LedgerUsageRow[] = [
  // Last month: in a 30-day window, never in month to date.
  row('2026-10-30T09:00:00Z', 'frontier', 'compliance', {
    model: 'anthropic:claude-opus-5.5',
    usage: usage(1000, 100),
    costMicros: 6000,
  }),
  // 1000 × 0.1 + 200 × 0.5 = 200 µ$ charged; at opus 1000 × 4 + 200 × 20 = 8000.
  row('2026-11-10T10:00:00Z', 'small', 'scout', { usage: usage(1000, 200), costMicros: 200 }),
  // Offline at mid: charged 0, shadow at sonnet 2000 × 2 + 500 × 10 = 9000; at opus 18000.
  row('2026-11-12T08:00:00Z', 'mid', 'engagement', {
    model: 'offline:mid',
    offline: true,
    usage: usage(2000, 500),
    shadowCostMicros: 9000,
  }),
];
const NOW = new Date('2026-11-15T12:00:00Z');

describe('buildCostReport', () => {
  it('keeps shadow cost apart from spend, and groups by tier, agent and UTC day', () => {
    const report = buildCostReport({
      rows: ROWS,
      config: CONFIG,
      since: new Date('2026-11-01T00:00:00Z'),
      now: NOW,
    });
    expect(report.totals).toEqual({
      calls: 2,
      offlineCalls: 1,
      spendMicros: 200,
      shadowMicros: 9000,
      allFrontierMicros: 26_000,
      inputTokens: 3000,
      outputTokens: 700,
    });
    expect(
      report.byTier.map(({ tier, spendMicros, shadowMicros }) => [tier, spendMicros, shadowMicros]),
    ).toEqual([
      ['small', 200, 0],
      ['mid', 0, 9000],
    ]);
    // Ordered by what each cost at list price, the largest first.
    expect(report.byAgent.map((entry) => entry.agent)).toEqual(['engagement', 'scout']);
    expect(report.byDay.map((entry) => [entry.day, entry.calls])).toEqual([
      ['2026-11-10', 1],
      ['2026-11-12', 1],
    ]);
    expect(report.byDayTier.map((e) => [e.day, e.tier, e.spendMicros, e.shadowMicros])).toEqual([
      ['2026-11-10', 'small', 200, 0],
      ['2026-11-12', 'mid', 0, 9000],
    ]);
  });

  it('prices every row at the frontier tier first model, and gives the routed/all-frontier ratio', () => {
    const report = buildCostReport({
      rows: ROWS,
      config: CONFIG,
      since: new Date('2026-11-01T00:00:00Z'),
      now: NOW,
    });
    expect(report.allFrontier).toEqual({
      model: 'anthropic:claude-opus-5.5',
      allFrontierMicros: 26_000,
      routedListMicros: 9200,
      ratio: 0.3538,
      spendRatio: 0.0077,
    });
  });

  it('projects month to date linearly on the days elapsed, whatever the window', () => {
    const report = buildCostReport({
      rows: ROWS,
      config: CONFIG,
      since: new Date('2026-10-16T12:00:00Z'),
      now: NOW,
    });
    expect(report.totals.spendMicros).toBe(6200);
    expect(report.monthToDate).toEqual({
      month: '2026-11',
      spendMicros: 200,
      shadowMicros: 9000,
      daysElapsed: 14.5,
      daysInMonth: 30,
      // 200 × 30 / 14.5 and 9000 × 30 / 14.5, rounded.
      projectedSpendMicros: 414,
      projectedShadowMicros: 18_621,
      budgetMicros: 500_000_000,
    });
  });

  it('projects over at least one day, so the first hours of a month do not explode', () => {
    const early = [row('2026-12-01T01:00:00Z', 'small', 'scout', { costMicros: 1000 })];
    const report = buildCostReport({
      rows: early,
      config: CONFIG,
      since: new Date('2026-12-01T00:00:00Z'),
      now: new Date('2026-12-01T06:00:00Z'),
    });
    expect(report.monthToDate).toMatchObject({
      daysElapsed: 0.25,
      daysInMonth: 31,
      projectedSpendMicros: 31_000,
    });
  });

  it('prices each row on its own, so a long prompt pays the long-context rate', () => {
    const config = routingConfigFromObject(
      {
        ...BASE,
        tiers: { ...BASE.tiers, frontier: ['openai:gpt-6-astra'] },
        prices: {
          ...BASE.prices,
          'openai:gpt-6-astra': {
            ...price(10, 50),
            longContext: { aboveInputTokens: 272_000, input: 20, output: 75 },
          },
        },
      },
      'test',
    );
    const rows = [
      row('2026-11-02T00:00:00Z', 'small', 'scout', { usage: usage(300_000, 1000) }),
      row('2026-11-02T00:01:00Z', 'small', 'scout', { usage: usage(1000, 1000) }),
    ];
    const report = buildCostReport({ rows, config, since: new Date('2026-11-01T00:00:00Z'), now: NOW });
    // 300000 × 20 + 1000 × 75 (long context), then 1000 × 10 + 1000 × 50.
    expect(report.allFrontier.allFrontierMicros).toBe(6_075_000 + 60_000);
  });

  it('reports an empty window as zeros with no ratio', () => {
    const report = buildCostReport({
      rows: [],
      config: CONFIG,
      since: new Date('2026-11-01T00:00:00Z'),
      now: NOW,
    });
    expect(report.totals.calls).toBe(0);
    expect(report.allFrontier.ratio).toBeNull();
    expect(report.byTier).toEqual([]);
  });
});
