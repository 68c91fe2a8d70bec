import { assertSchemaName } from '@forge/store';
import type pg from 'pg';

/** One cost-ledger row, as much of it as a bill needs. */
export interface LedgerLine {
  taskId: string;
  callId: number;
  skill: string | null;
  tier: string;
  model: string;
  costMicros: number;
  outcome: string;
  escalated: boolean;
  fellBack: boolean;
  inputTokens: number;
  cacheReadTokens: number;
  /** 5-minute and 1-hour writes together. */
  cacheWriteTokens: number;
  /** The attempt went through a vendor batch (its reason names the batch). */
  batch: boolean;
}

/** Every cost-ledger row of the brain (one per model-call attempt), read back after the run. */
export async function readLedger(pool: pg.Pool, schema: string): Promise<LedgerLine[]> {
  const { rows } = await pool.query<{
    task_id: string;
    call_id: number;
    skill: string | null;
    tier: string;
    model: string;
    cost_micros: string;
    outcome: string;
    escalated: boolean;
    fell_back: boolean;
    input_tokens: number;
    cache_read_tokens: number;
    cache_write_tokens: number;
    batch: boolean;
  }>(
    `SELECT task_id, call_id, skill, tier, model, cost_micros, outcome, escalated, fell_back, input_tokens,
       cache_read_tokens, cache_write_5m_tokens + cache_write_1h_tokens AS cache_write_tokens,
       coalesce(reason LIKE 'batch %', false) AS batch
     FROM "${assertSchemaName(schema)}".cost_ledger`,
  );
  return rows.map((r) => ({
    taskId: r.task_id,
    callId: r.call_id,
    skill: r.skill,
    tier: r.tier,
    model: r.model,
    costMicros: Number(r.cost_micros),
    outcome: r.outcome,
    escalated: r.escalated,
    fellBack: r.fell_back,
    inputTokens: r.input_tokens,
    cacheReadTokens: r.cache_read_tokens,
    cacheWriteTokens: r.cache_write_tokens,
    batch: r.batch,
  }));
}

/** One routing decision as the router recorded it. */
export interface DecisionLine {
  taskId: string;
  tier: string;
  /** `routed`, `queued` (held for approval) or `rejected`. */
  status: string;
  /** The budget's effect: `none`, `downgraded`, `queue` or `reject`. */
  budgetAction: string;
}

export async function readDecisions(pool: pg.Pool, schema: string): Promise<DecisionLine[]> {
  const { rows } = await pool.query<{ task_id: string; tier: string; status: string; action: string | null }>(
    `SELECT task_id, tier, status, budget->>'action' AS action FROM "${assertSchemaName(schema)}".routing_decisions`,
  );
  return rows.map((r) => ({
    taskId: r.task_id,
    tier: r.tier,
    status: r.status,
    budgetAction: r.action ?? 'none',
  }));
}

/** Sums `costMicros` of `lines` by a key derived from each line (lines whose key is undefined are skipped). */
export function sumBy<T extends { costMicros: number }>(
  lines: readonly T[],
  key: (line: T) => string | undefined,
): Map<string, number> {
  const sums = new Map<string, number>();
  for (const line of lines) {
    const k = key(line);
    if (k !== undefined) sums.set(k, (sums.get(k) ?? 0) + line.costMicros);
  }
  return sums;
}
