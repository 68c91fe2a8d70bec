import { usd } from '@forge/ledger-views';
import { PgOperatorViews } from '@forge/store';
import type { TasksOptions } from '../args.js';
import { openBrainReader } from '../brain-reader.js';
import type { Io } from '../io.js';

/**
 * `forge tasks [--open] [--skill s] [--limit n]`: the brain's newest tasks with their routing and
 * ledger sums, read from its Postgres (the same view as the console's tasks page). `--json`
 * prints `{brain, database, tasks: TaskOverview[]}` with money as integer micro-USD.
 */
export async function runTasks(options: TasksOptions, io: Io): Promise<number> {
  const reader = await openBrainReader(options);
  try {
    const tasks = await new PgOperatorViews(reader.pool, reader.schema).recentTasks({
      limit: options.limit,
      open: options.open,
      ...(options.skill ? { skill: options.skill } : {}),
    });
    if (options.json) {
      io.out(JSON.stringify({ brain: options.brain, database: reader.database, tasks }));
      return 0;
    }
    if (tasks.length === 0) {
      io.out(options.open ? 'no open tasks' : 'no tasks yet');
      return 0;
    }
    const width = Math.max(...tasks.map((t) => t.skill.length));
    for (const t of tasks) {
      const cost = `${usd(t.costMicros)}${t.shadowMicros > 0 ? ` (shadow ${usd(t.shadowMicros)})` : ''}`;
      io.out(
        `${t.createdAt.slice(0, 19).replace('T', ' ')}  ${t.skill.padEnd(width)}  ${(t.tier ?? '-').padEnd(8)}  ` +
          `${(t.model ?? '-').padEnd(28)}  ${cost.padEnd(12)}  ${t.state}  ${t.id}`,
      );
    }
    return 0;
  } finally {
    await reader.close();
  }
}
