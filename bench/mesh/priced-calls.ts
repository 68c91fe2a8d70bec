import { readFile } from 'node:fs/promises';
import pg from 'pg';

/** What a burst of chat completions through the router came to. */
export interface PricedCallsResult {
  readonly calls: number;
  readonly ok: number;
  /** HTTP status (or `network`) → count, for every answer that was not 200. */
  readonly failures: Record<string, number>;
  /** Up to five distinct error texts, as callers saw them. */
  readonly errorSamples: string[];
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Answered 200 and found in the cost ledger (within the wait), priced (cost > 0). */
  readonly inLedger: number;
  readonly pricedInLedger: number;
  /** Answered 200 but not in the ledger after the wait. */
  readonly missingFromLedger: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * Sends `calls` `POST /v1/chat/completions` at once (all in flight together) with the operator
 * key, then waits (bounded) for every answered call's row in the brain's cost ledger (the router
 * writes it behind, within its flush interval).
 */
export async function pricedCalls(opts: {
  chatCompletionsUrl: string;
  operatorKeyFile: string;
  databaseUrl: string;
  schema: string;
  calls: number;
  model?: string;
  ledgerWaitMs?: number;
}): Promise<PricedCallsResult> {
  const key = (await readFile(opts.operatorKeyFile, 'utf8')).trim();
  const failures: Record<string, number> = {};
  const samples = new Set<string>();
  const latencies: number[] = [];
  const ids: string[] = [];
  await Promise.all(
    Array.from({ length: opts.calls }, async (_, index) => {
      const started = performance.now();
      let status = 'network';
      let text = '';
      try {
        const res = await fetch(opts.chatCompletionsUrl, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            model: opts.model ?? 'forge:auto',
            max_tokens: 64,
            messages: [
              { role: 'user', content: `Summarize in one line, call ${index}: routing saves money.` },
            ],
          }),
          signal: AbortSignal.timeout(120_000),
        });
        status = String(res.status);
        text = await res.text();
        if (res.status === 200) ids.push((JSON.parse(text) as { id: string }).id.replace(/^chatcmpl-/, ''));
      } catch (error) {
        text = error instanceof Error ? error.message : String(error);
      }
      latencies.push(performance.now() - started);
      if (status !== '200') {
        failures[status] = (failures[status] ?? 0) + 1;
        if (samples.size < 5) samples.add(text.slice(0, 300));
      }
    }),
  );
  const ledger = await ledgerRows(opts.databaseUrl, opts.schema, ids, opts.ledgerWaitMs ?? 30_000);
  latencies.sort((a, b) => a - b);
  return {
    calls: opts.calls,
    ok: ids.length,
    failures,
    errorSamples: [...samples],
    p50Ms: Math.round(percentile(latencies, 50)),
    p99Ms: Math.round(percentile(latencies, 99)),
    maxMs: Math.round(latencies.at(-1) ?? 0),
    inLedger: ledger.found,
    pricedInLedger: ledger.priced,
    missingFromLedger: ids.length - ledger.found,
  };
}

/** Polls the ledger until every id has a row or `waitMs` passes. */
async function ledgerRows(
  url: string,
  schema: string,
  ids: string[],
  waitMs: number,
): Promise<{ found: number; priced: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const { rows } = await client.query<{ found: number; priced: number }>(
        `select count(distinct task_id)::int as found,
                count(distinct task_id) filter (where cost_micros > 0)::int as priced
           from "${schema}".cost_ledger where task_id = any($1::uuid[])`,
        [ids],
      );
      const row = rows[0] ?? { found: 0, priced: 0 };
      if (row.found === ids.length || Date.now() > deadline) return row;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    await client.end();
  }
}
