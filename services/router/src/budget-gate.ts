import { randomUUID } from 'node:crypto';
import type { ModelPrice, Tier } from '@forge/contracts';
import { maxCostMicros } from '@forge/models';
import {
  type BudgetScopeKey,
  budgetView,
  type RoutingConfig,
  scopeLabel,
  taskBudgetScopes,
} from '@forge/policy';
import { type BudgetRepository, budgetPeriod } from '@forge/store';
import type { LedgerWriter } from './ledger-writer.js';
import { usd } from './money-text.js';

/** Who pays for a call: the scopes it counts against are derived from these. */
export interface Payer {
  agent: string;
  tier: Tier;
  principal?: string | undefined;
}

/** A call let through: `reservationId` is null when nothing was reserved ($0, or no capped scope). */
export type Admission =
  | { admitted: true; reservationId: string | null; amountMicros: number }
  | { admitted: false; reason: string };

/**
 * The chars/4 prompt estimate undercounts code and non-English text; the reservation pads it so
 * the hold covers the real bill (a settlement above the hold is still charged in full).
 */
export function reservationInputTokens(estimate: number): number {
  return Math.ceil(estimate * 1.25) + 16;
}

const capsCache = new WeakMap<RoutingConfig, ReadonlyMap<BudgetScopeKey, number>>();

function capsOf(config: RoutingConfig): ReadonlyMap<BudgetScopeKey, number> {
  let caps = capsCache.get(config);
  if (!caps) {
    const view = budgetView(config);
    caps = new Map(
      (Object.entries(view.scopes) as [BudgetScopeKey, { limitMicros: number }][]).map(([k, v]) => [
        k,
        v.limitMicros,
      ]),
    );
    capsCache.set(config, caps);
  }
  return caps;
}

/**
 * Budget admission for model calls: before every priced call, one atomic reservation in
 * Postgres of the call's maximum cost (padded prompt estimate + `maxTokens` of output, at list
 * price) against every capped scope that applies (month, agent, principal, tier); after it, the
 * reservation is settled to the actual cost through the write-behind ledger writer. A $0 call
 * (offline, a zero-priced local model, `tool`) is never blocked and reserves nothing.
 */
export class BudgetGate {
  readonly #budgets: BudgetRepository;
  readonly #writer: LedgerWriter;

  constructor(budgets: BudgetRepository, writer: LedgerWriter) {
    this.#budgets = budgets;
    this.#writer = writer;
  }

  async admit(
    config: RoutingConfig,
    payer: Payer,
    price: ModelPrice | undefined,
    call: { promptTokensEstimate: number; maxTokens: number },
  ): Promise<Admission> {
    const amount = price
      ? maxCostMicros(reservationInputTokens(call.promptTokensEstimate), call.maxTokens, price)
      : 0;
    if (amount === 0) return { admitted: true, reservationId: null, amountMicros: 0 };
    const keys = taskBudgetScopes(config, payer);
    if (keys.length === 0) return { admitted: true, reservationId: null, amountMicros: amount };
    const caps = capsOf(config);
    const reservationId = randomUUID();
    const result = await this.#budgets.admit({
      reservationId,
      period: budgetPeriod(),
      scopes: keys.map((scope) => ({ scope, capMicros: caps.get(scope) ?? null })),
      amountMicros: amount,
      ttlMs: config.gateway.reservationTtlMs,
    });
    if (result.admitted) return { admitted: true, reservationId, amountMicros: amount };
    const used = result.spentMicros + result.reservedMicros;
    return {
      admitted: false,
      reason:
        `budget ${scopeLabel(result.scope as BudgetScopeKey)} has no room: ${usd(used)} of ` +
        `${usd(result.capMicros)} used or reserved, this call may cost up to ${usd(amount)}`,
    };
  }

  /** Settles an admitted call to what it really cost (queued, written within the flush interval). */
  settle(admission: Admission, actualMicros: number): void {
    if (!admission.admitted || admission.reservationId === null) return;
    this.#writer.settle({ reservationId: admission.reservationId, actualMicros });
  }
}
