import { type ModelUsage, Tier } from '@forge/contracts';
import { assertSchemaName } from '@forge/store';
import type pg from 'pg';

/** One cost ledger row as `forge costs` needs it: when, who, what tier, tokens and money. */
export interface LedgerUsageRow {
  readonly at: Date;
  readonly tier: Tier;
  /** The agent that asked, or `api` for the OpenAI-compatible endpoint; null if unknown. */
  readonly agent: string | null;
  /** `provider:model` that answered (an `offline:` model for offline rows). */
  readonly model: string;
  readonly offline: boolean;
  /** Normalised usage, as the ledger keeps it (input excludes cache, output includes reasoning). */
  readonly usage: ModelUsage;
  readonly costMicros: number;
  readonly shadowCostMicros: number;
}

interface Row {
  created_at: Date;
  tier: string;
  agent: string | null;
  model: string;
  offline: boolean;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_5m_tokens: number;
  cache_write_1h_tokens: number;
  reasoning_tokens: number;
  cost_micros: string;
  shadow_cost_micros: string;
}

/**
 * Every ledger row written at or after `from`, oldest first. Reads the `cost_ledger` table of
 * the brain's schema directly (the store's `PgCostLedger` reads one task at a time); money comes
 * back as text from bigint and is turned into safe integers here.
 */
export async function readLedgerSince(pool: pg.Pool, schema: string, from: Date): Promise<LedgerUsageRow[]> {
  const table = `"${assertSchemaName(schema)}".cost_ledger`;
  const result = await pool.query<Row>(
    `select created_at, tier, agent, model, offline,
            input_tokens, output_tokens, cache_read_tokens, cache_write_5m_tokens,
            cache_write_1h_tokens, reasoning_tokens, cost_micros::text, shadow_cost_micros::text
       from ${table} where created_at >= $1 order by created_at, task_id, attempt, call_id, seq`,
    [from],
  );
  return result.rows.map((row) => ({
    at: row.created_at,
    tier: Tier.parse(row.tier),
    agent: row.agent,
    model: row.model,
    offline: row.offline,
    usage: {
      inputTokens: row.input_tokens,
      outputTokens: row.output_tokens,
      cacheReadTokens: row.cache_read_tokens,
      cacheWriteTokens: row.cache_write_5m_tokens,
      cacheWrite1hTokens: row.cache_write_1h_tokens,
      reasoningTokens: row.reasoning_tokens,
    },
    costMicros: Number(row.cost_micros),
    shadowCostMicros: Number(row.shadow_cost_micros),
  }));
}
