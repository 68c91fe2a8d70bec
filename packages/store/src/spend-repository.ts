import type pg from 'pg';
import { withPgErrors } from './pg-errors.js';
import { qualified } from './schema-name.js';

/** Spend of one tier over a period, from the cost ledger; money in integer micro-USD. */
export interface TierSpend {
  tier: 'tool' | 'small' | 'mid' | 'frontier';
  calls: number;
  spendMicros: number;
  /** What offline answers would have cost at list price (never spent). */
  shadowMicros: number;
}

/** Read-only views of the cost ledger for reports (marketing's brief and weekly report). */
export class PgSpendRepository {
  readonly #pool: pg.Pool;
  readonly #ledger: string;

  constructor(pool: pg.Pool, schema: string) {
    this.#pool = pool;
    this.#ledger = qualified(schema, 'cost_ledger');
  }

  /** Spend by tier for ledger rows created in [from, to); tiers without calls are left out. */
  async byTier(from: string, to: string): Promise<TierSpend[]> {
    const result = await withPgErrors('spend by tier', () =>
      this.#pool.query<{ tier: TierSpend['tier']; calls: string; spend: string; shadow: string }>(
        `SELECT tier, count(*) AS calls, COALESCE(sum(cost_micros), 0) AS spend,
                COALESCE(sum(shadow_cost_micros), 0) AS shadow
           FROM ${this.#ledger} WHERE created_at >= $1 AND created_at < $2
          GROUP BY tier ORDER BY tier`,
        [from, to],
      ),
    );
    return result.rows.map((r) => ({
      tier: r.tier,
      calls: Number(r.calls),
      spendMicros: Number(r.spend),
      shadowMicros: Number(r.shadow),
    }));
  }
}
