import { ForgeError } from '@forge/contracts';
import { loadRoutingConfigFile, type RoutingConfig } from '@forge/policy';
import { createPool, schemaForBrain } from '@forge/store';
import { createLogger } from '@forge/telemetry';
import type pg from 'pg';
import type { LedgerReadOptions } from './args.js';
import { type MeshFile, readLiveMeshFile } from './mesh-file.js';
import { brainPaths, defaultRoutingConfigPath } from './paths.js';
import { redactPostgresUrl } from './postgres.js';

/** What `route explain` and `costs` read: the routing config and the brain's Postgres schema. */
export interface BrainReader {
  readonly config: RoutingConfig;
  /** The routing config file it came from. */
  readonly configPath: string;
  readonly pool: pg.Pool;
  readonly schema: string;
  /** Where the database is, credentials masked, e.g. `embedded postgres://…:7350/postgres`. */
  readonly database: string;
  /** The brain's running `forge up`, as its mesh file says; null when none runs. */
  readonly mesh: MeshFile | null;
  close(): Promise<void>;
}

/** Where the brain's database is: the running mesh's embedded Postgres, else DATABASE_URL. */
export async function locateDatabase(
  options: Pick<LedgerReadOptions, 'databaseUrl' | 'stateDir' | 'brain'>,
  mesh: MeshFile | null,
): Promise<{ url: string; label: string }> {
  // An embedded Postgres holds the brain's only copy of its data: it wins over DATABASE_URL.
  // Its URL has no password, so the one in mesh.json (stored redacted) is the real one.
  if (mesh?.postgres.embedded) return { url: mesh.postgres.url, label: 'embedded' };
  if (options.databaseUrl !== undefined) return { url: options.databaseUrl, label: 'DATABASE_URL' };
  if (mesh !== null && !mesh.postgres.url.includes('***')) return { url: mesh.postgres.url, label: 'mesh' };
  const paths = brainPaths(options.stateDir, options.brain);
  throw new ForgeError(
    'UNAVAILABLE',
    mesh === null
      ? `cannot reach brain ${options.brain}'s registry and ledger: no forge up is running for it ` +
          `(no live ${paths.mesh}) and DATABASE_URL is not set; start \`forge up --brain ${options.brain}\` or set DATABASE_URL`
      : `brain ${options.brain} runs on a Postgres whose URL holds a password; set DATABASE_URL to read it`,
    { retryable: false },
  );
}

/**
 * Opens what the read-only routing commands need. The routing config: `--config` /
 * FORGE_ROUTING_CONFIG, else the one the running mesh gave its router, else the repository's
 * (BAD_CONFIG naming the field when invalid). The database: see `locateDatabase`; UNAVAILABLE
 * with the URL masked when it does not answer, NOT_FOUND when the brain was never migrated there.
 */
export async function openBrainReader(options: LedgerReadOptions): Promise<BrainReader> {
  const mesh = await readLiveMeshFile(brainPaths(options.stateDir, options.brain).mesh);
  const configPath = options.routingConfig ?? mesh?.routingConfig ?? defaultRoutingConfigPath();
  const config = await loadRoutingConfigFile(configPath);
  const { url, label } = await locateDatabase(options, mesh);
  const schema = schemaForBrain(options.brain);
  const database = `${label} ${redactPostgresUrl(url)}`;
  // Two connections: the commands run a few reads, some at once; forge up keeps spares for this.
  const pool = createPool({
    connectionString: url,
    max: 2,
    applicationName: 'forge-cli',
    connectionTimeoutMs: 3_000,
    // stdout carries the command's answer (`--json`); a lost connection is a warning on stderr.
    logger: createLogger({ name: 'forge-cli', level: 'warn', destination: process.stderr }),
  });
  try {
    const found = await pool.query<{ present: boolean }>(
      `select exists (select 1 from information_schema.tables
         where table_schema = $1 and table_name = 'cost_ledger') as present`,
      [schema],
    );
    if (!found.rows[0]?.present) {
      throw new ForgeError(
        'NOT_FOUND',
        `brain ${options.brain} has no routing tables in ${schema} at ${database}; \`forge up --brain ${options.brain}\` creates them`,
        { retryable: false },
      );
    }
  } catch (error) {
    await pool.end().catch(() => {});
    if (error instanceof ForgeError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new ForgeError('UNAVAILABLE', `cannot reach Postgres at ${database} (${reason})`, {
      cause: error,
    });
  }
  return { config, configPath, pool, schema, database, mesh, close: () => pool.end() };
}
