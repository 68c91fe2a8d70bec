import { isForgeError } from '@forge/contracts';
import type { MigrateOptions } from '../args.js';
import type { Io } from '../io.js';
import { migrateBrain, redactPostgresUrl } from '../postgres.js';

const RETRY_MS = 2_000;

/**
 * `forge migrate`: applies the store migrations to the brain's schema in DATABASE_URL and prints
 * what it applied (`--json`: `{"schema","applied":[...]}`). While Postgres does not answer yet (a
 * Job started beside a Postgres that is still starting) it retries every 2 s for `--wait`
 * seconds; then it fails with the last reason (exit 1).
 */
export async function runMigrate(options: MigrateOptions, io: Io): Promise<number> {
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    try {
      const { schema, applied } = await migrateBrain(options.databaseUrl, options.brain);
      if (options.json) io.out(JSON.stringify({ schema, applied }));
      else
        io.out(applied.length === 0 ? `${schema}: up to date` : `${schema}: applied ${applied.join(', ')}`);
      return 0;
    } catch (error) {
      if (!isForgeError(error, 'UNAVAILABLE') || Date.now() + RETRY_MS > deadline) throw error;
      io.err(
        `forge migrate: ${redactPostgresUrl(options.databaseUrl)} not ready (${error.message}); retrying`,
      );
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }
}
