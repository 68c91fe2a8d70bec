import { buildCostReport } from '@forge/ledger-views';
import { PgCostLedger } from '@forge/store';
import type { CostsOptions } from '../args.js';
import { openBrainReader } from '../brain-reader.js';
import { formatCostReport } from '../cost-table.js';
import type { Io } from '../io.js';
import { monthStart, resolveSince } from '../since.js';

/**
 * `forge costs [--since 7d|DATE]`: spend from the brain's cost ledger (see `buildCostReport`).
 * `--json` prints `{brain, routingConfig, database, ...CostReport}` with money as integer
 * micro-USD; without it, a table in USD. Reads only; exit 0 even when nothing was spent.
 */
export async function runCosts(options: CostsOptions, io: Io): Promise<number> {
  const reader = await openBrainReader(options);
  try {
    const now = new Date();
    const since = resolveSince(options.since, now);
    // Month to date needs the whole month even when the window is shorter.
    const from = new Date(Math.min(since.getTime(), monthStart(now).getTime()));
    const rows = await new PgCostLedger(reader.pool, reader.schema).usageSince(from);
    const report = buildCostReport({ rows, config: reader.config, since, now });
    if (options.json) {
      io.out(
        JSON.stringify({
          brain: options.brain,
          routingConfig: reader.configPath,
          database: reader.database,
          currency: 'USD',
          ...report,
        }),
      );
    } else {
      for (const line of formatCostReport(report, options.brain)) io.out(line);
    }
    return 0;
  } finally {
    await reader.close();
  }
}
