import type pg from 'pg';
import { BENCH_PRINCIPAL } from './setup.js';

/** What the bench's clients saw of one deployment's calls, over every phase (warm-ups included). */
export interface CallCount {
  issued: number;
  ok: number;
  failed: number;
}

/**
 * Whether one deployment's money is exact once its routers stopped (leases released, ledger
 * flushed): every answered call has its ledger row (and no row without a call), the month's
 * settled spend equals the ledger's total, the principal's and the agent's spend equal their
 * rows' totals, no scope spent over its cap, and no hold is left live.
 */
export interface BudgetCheck {
  calls: CallCount;
  ledgerRows: number;
  ledgerOk: number;
  ledgerMicros: number;
  spentMicros: Record<string, number>;
  capMicros: number;
  liveHolds: number;
  exact: boolean;
  problems: string[];
}

/** Reads the ledger and the budget tables of `schema` and checks them against what the clients counted. */
export async function checkBudgets(
  pool: pg.Pool,
  schema: string,
  calls: CallCount,
  capUsd: number,
): Promise<BudgetCheck> {
  const q = (name: string) => `"${schema}".${name}`;
  const ledger = await pool.query<{
    rows: string;
    ok: string;
    total: string;
    principal: string;
    agent: string;
  }>(
    `SELECT count(*) AS rows, count(*) FILTER (WHERE outcome = 'ok') AS ok,
            coalesce(sum(cost_micros), 0) AS total,
            coalesce(sum(cost_micros) FILTER (WHERE principal = $1), 0) AS principal,
            coalesce(sum(cost_micros) FILTER (WHERE agent = 'bench'), 0) AS agent
       FROM ${q('cost_ledger')}`,
    [BENCH_PRINCIPAL],
  );
  const usage = await pool.query<{ scope: string; spent: string }>(
    `SELECT scope, sum(spent_micros) AS spent FROM ${q('budget_usage')} GROUP BY scope`,
  );
  const holds = await pool.query<{ live: string }>(
    `SELECT count(*) AS live FROM ${q('budget_holds')} WHERE expires_at > now()`,
  );
  const row = ledger.rows[0]!;
  const spent = Object.fromEntries(usage.rows.map((r) => [r.scope, Number(r.spent)]));
  const total = Number(row.total);
  const problems: string[] = [];
  const ledgerOk = Number(row.ok);
  const ledgerRows = Number(row.rows);
  // A call the client gave up on may still have been made and billed, so with client errors the
  // rows lie between the answered and the issued calls; without, they equal the calls exactly.
  if (
    calls.failed === 0
      ? ledgerOk !== calls.ok || ledgerRows !== calls.ok
      : ledgerOk < calls.ok || ledgerRows > calls.issued
  )
    problems.push(
      `ledger has ${ledgerRows} rows (${ledgerOk} ok) for ${calls.ok} answered of ${calls.issued} calls`,
    );
  const expect = (scope: string, micros: number) => {
    if ((spent[scope] ?? 0) !== micros)
      problems.push(`${scope} spent ${spent[scope] ?? 0} micro-USD, its ledger rows ${micros}`);
  };
  expect('month', total);
  expect(`principal:${BENCH_PRINCIPAL}`, Number(row.principal));
  expect('agent:bench', Number(row.agent));
  const capMicros = capUsd * 1_000_000;
  for (const [scope, micros] of Object.entries(spent))
    if (micros > capMicros) problems.push(`${scope} overspent: ${micros} of ${capMicros}`);
  const liveHolds = Number(holds.rows[0]?.live ?? 0);
  if (liveHolds > 0) problems.push(`${liveHolds} holds still live after the routers stopped`);
  if (total === 0)
    problems.push('nothing was billed (the bench model is priced: the check would prove nothing)');
  return {
    calls,
    ledgerRows,
    ledgerOk,
    ledgerMicros: total,
    spentMicros: spent,
    capMicros,
    liveHolds,
    exact: problems.length === 0,
    problems,
  };
}
