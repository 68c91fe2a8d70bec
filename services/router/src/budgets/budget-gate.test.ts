import { maxCostMicros } from '@forge/models';
import { type RoutingConfig, routingConfigFromObject } from '@forge/policy';
import type { CostLedger } from '@forge/store';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quietLogger, realPrices, testRoutingConfig } from '../../test/harness.js';
import { MemoryBudgets } from '../../test/memory-budgets.js';
import { LedgerWriter } from '../ledger/ledger-writer.js';
import { type Admission, BudgetGate, reservationInputTokens } from './budget-gate.js';

const CALL = { promptTokensEstimate: 500, maxTokens: 200 };
const PAYER = { agent: 'lease', tier: 'small' as const };

async function setup(capCalls: number, leases: { idleMs?: number } = {}) {
  const prices = await realPrices();
  const price = prices['anthropic:claude-haiku-5.5']!;
  const perCall = maxCostMicros(reservationInputTokens(CALL.promptTokensEstimate), CALL.maxTokens, price);
  const cap = perCall * capCalls;
  const config: RoutingConfig = routingConfigFromObject(
    await testRoutingConfig({
      budgets: { perAgent: { lease: { usd: cap / 1_000_000, onExhausted: 'reject' } } },
    }),
    'budget-gate.test',
  );
  const budgets = new MemoryBudgets();
  const ledger: CostLedger = { append: async (e) => e.length, forTask: async () => [] };
  const writer = new LedgerWriter({ ledger, budgets, flushMs: 1, logger: quietLogger() });
  const gate = new BudgetGate(budgets, writer, { leases: leases });
  const admit = () => gate.admit(config, PAYER, config.prices['anthropic:claude-haiku-5.5'], CALL);
  return { budgets, writer, gate, admit, perCall, cap };
}

describe('BudgetGate with leases', () => {
  it('admits most calls in memory: a few round trips for hundreds of calls, every micro-dollar settled', async () => {
    const { budgets, writer, gate, admit, perCall } = await setup(100_000);
    let spent = 0;
    for (let i = 0; i < 300; i++) {
      const admission = await admit();
      expect(admission.admitted).toBe(true);
      const actual = Math.floor(perCall / 2) + (i % 7);
      spent += actual;
      gate.settle(admission, actual);
      // Room for the background refill to land, as a provider call would give it.
      if (i % 8 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(budgets.admits).toBeGreaterThan(0);
    expect(budgets.admits).toBeLessThan(20);
    gate.close();
    await writer.stop();
    // Every lease went back: nothing held, the spend is exactly what the calls cost.
    expect(budgets.holds.size).toBe(0);
    expect(budgets.spent.get('agent:lease')).toBe(spent);
  });

  it('never lets admitted money past the cap, whatever the order of calls and settlements', async () => {
    await fc.assert(
      fc.asyncProperty(
        // Mostly new calls, so the cap is reached in most runs; settlements at any share of the maximum.
        fc.array(
          fc.tuple(
            fc.nat(9).map((n) => n < 7),
            fc.nat(),
            fc.double({ min: 0, max: 1, noNaN: true }),
          ),
          {
            minLength: 80,
            maxLength: 300,
          },
        ),
        async (ops) => {
          const { budgets, writer, gate, admit, perCall, cap } = await setup(60);
          const inFlight: Admission[] = [];
          let settled = 0;
          let admitted = 0;
          for (const [start, pick, share] of ops) {
            if (start || inFlight.length === 0) {
              const a = await admit();
              if (a.admitted) {
                inFlight.push(a);
                admitted += 1;
              }
            } else {
              const [a] = inFlight.splice(pick % inFlight.length, 1);
              const actual = Math.floor(perCall * share);
              settled += actual;
              gate.settle(a!, actual);
            }
            // What the gateway let through can cost at most the cap: calls in flight at their
            // maximum, finished calls at what they cost.
            const committed = inFlight.length * perCall + settled;
            expect(committed).toBeLessThanOrEqual(cap);
            if (pick % 5 === 0) await writer.flush();
          }
          for (const a of inFlight.splice(0)) gate.settle(a, 0);
          gate.close();
          await writer.stop();
          expect(budgets.holds.size).toBe(0);
          expect(budgets.spent.get('agent:lease') ?? 0).toBe(settled);
          expect(admitted).toBeGreaterThan(0);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('releases a lease left idle, so its money is free for other replicas', async () => {
    const { budgets, gate, admit, writer } = await setup(100_000, { idleMs: 20 });
    const a = await admit();
    gate.settle(a, 10);
    await writer.flush();
    expect(budgets.holds.size).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 80));
    await writer.flush();
    expect(budgets.holds.size).toBe(0);
    expect(budgets.spent.get('agent:lease')).toBe(10);
    gate.close();
  });

  it('reserves call by call when the cap is too small to share (exact to the last call)', async () => {
    const { budgets, gate, admit } = await setup(10);
    const results = [];
    for (let i = 0; i < 12; i++) results.push(await admit());
    expect(results.filter((r) => r.admitted)).toHaveLength(10);
    expect(budgets.admits).toBe(12);
    gate.close();
  });
});
