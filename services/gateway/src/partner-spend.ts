import { ForgeError } from '@forge/contracts';
import type { FederationConfig } from '@forge/federation';
import type pg from 'pg';

/** Micro-USD per USD, as the ledger counts. */
const MICROS = 1_000_000;

/** The first instant of the UTC month of `now`. */
export function monthStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}

/**
 * What each partner's work has cost this brain this month (the cost ledger's rows with its name,
 * which the router writes from the task's partner origin), checked against the partner's
 * `monthlyBudgetUsd` before a new task is made. Sums are cached for `cacheMs` per partner.
 */
export class PartnerSpend {
  readonly #pool: pg.Pool;
  readonly #ledger: string;
  readonly #config: FederationConfig;
  readonly #cacheMs: number;
  readonly #cache = new Map<string, { micros: number; at: number }>();

  constructor(pool: pg.Pool, schema: string, config: FederationConfig, cacheMs = 2_000) {
    this.#pool = pool;
    this.#ledger = `"${schema.replaceAll('"', '""')}".cost_ledger`;
    this.#config = config;
    this.#cacheMs = cacheMs;
  }

  /** Spend of `partner`'s work this month, integer micro-USD. */
  async spentMicros(partner: string, now = new Date()): Promise<number> {
    const cached = this.#cache.get(partner);
    if (cached && now.getTime() - cached.at < this.#cacheMs) return cached.micros;
    const result = await this.#pool.query<{ spent: string }>(
      `SELECT COALESCE(sum(cost_micros), 0) AS spent FROM ${this.#ledger} WHERE partner = $1 AND created_at >= $2`,
      [partner, monthStart(now).toISOString()],
    );
    const micros = Number(result.rows[0]?.spent ?? 0);
    this.#cache.set(partner, { micros, at: now.getTime() });
    return micros;
  }

  /** BUDGET_EXHAUSTED, naming the partner, its cap and its spend, once the month's cap is reached. */
  async admit(partner: string): Promise<void> {
    const cap = this.#config.partners[partner]?.inbound?.monthlyBudgetUsd ?? 0;
    const spent = await this.spentMicros(partner);
    if (spent >= cap * MICROS) {
      throw new ForgeError(
        'BUDGET_EXHAUSTED',
        `partner ${partner}: the monthly budget of $${cap.toFixed(2)} for work it asks of this brain is spent ($${(spent / MICROS).toFixed(2)} this month); it renews on the 1st (UTC)`,
        { retryable: false },
      );
    }
  }
}
