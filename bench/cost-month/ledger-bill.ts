import { assertSchemaName } from '@forge/store';
import type pg from 'pg';

/** One cost-ledger row, as much of it as a bill needs. */
export interface LedgerLine {
  taskId: string;
  callId: number;
  tier: string;
  model: string;
  costMicros: number;
  outcome: string;
  escalated: boolean;
  fellBack: boolean;
}

/** Every cost-ledger row of the brain (one per model-call attempt), read back after the run. */
export async function readLedger(pool: pg.Pool, schema: string): Promise<LedgerLine[]> {
  const { rows } = await pool.query<{
    task_id: string;
    call_id: number;
    tier: string;
    model: string;
    cost_micros: string;
    outcome: string;
    escalated: boolean;
    fell_back: boolean;
  }>(
    `SELECT task_id, call_id, tier, model, cost_micros, outcome, escalated, fell_back FROM "${assertSchemaName(schema)}".cost_ledger`,
  );
  return rows.map((r) => ({
    taskId: r.task_id,
    callId: r.call_id,
    tier: r.tier,
    model: r.model,
    costMicros: Number(r.cost_micros),
    outcome: r.outcome,
    escalated: r.escalated,
    fellBack: r.fell_back,
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
