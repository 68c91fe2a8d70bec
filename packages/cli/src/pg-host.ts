/**
 * The embedded Postgres host: a process of its own that `forge up` forks (with an IPC channel)
 * when no DATABASE_URL is set. It serves PGlite over the Postgres wire protocol until SIGTERM,
 * SIGINT, or the IPC channel closing (forge up went away), then stops the database cleanly.
 */
import { describeIssues } from '@forge/contracts';
import { startEmbeddedPostgres } from '@forge/store';
import { PgHostEnv, type PgHostMessage } from './pg-host-protocol.js';

function tell(message: PgHostMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const parsed = PgHostEnv.safeParse(process.env);
  if (!parsed.success) {
    tell({ type: 'error', message: `invalid environment: ${describeIssues(parsed.error).join('; ')}` });
    process.exit(2);
  }
  const env = parsed.data;
  const db = await startEmbeddedPostgres({
    dataDir: env.FORGE_PG_DATA_DIR,
    host: env.FORGE_PG_HOST,
    port: env.FORGE_PG_PORT,
    maxConnections: env.FORGE_PG_MAX_CONNECTIONS,
  });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    // Bounded: a stuck close must not keep the port forever.
    const timer = setTimeout(() => process.exit(1), 10_000);
    db.stop().then(
      () => {
        clearTimeout(timer);
        process.exit(0);
      },
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('disconnect', stop);
  tell({ type: 'ready', url: db.url });
}

main().catch((error: unknown) => {
  tell({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
