import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ForgeError, parseOrThrow } from '@forge/contracts';
import { createLogger, type Logger } from '@forge/telemetry';
import { type MigrationBuilder, type RunnerOption, runner } from 'node-pg-migrate';
import pg from 'pg';
import { z } from 'zod';
import { toForgeError } from './pg-errors.js';
import { assertSchemaName, quoteIdent } from './schema-name.js';

/**
 * The shipped migration files. `src/migrate.ts` and `dist/migrate.js` both sit one level below
 * the package root, so the same relative URL finds them under tsx/vitest and under plain node.
 */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));

/** Each brain's schema records its own applied migrations, so brains migrate independently. */
const MIGRATIONS_TABLE = 'forge_migrations';

/** A replica waiting for another replica's migration of the same schema gives up after this. */
const LOCK_TIMEOUT_MS = 60_000;
const CONNECT_TIMEOUT_MS = 10_000;

const MigrateOptions = z.object({
  databaseUrl: z.string().refine((value) => URL.canParse(value), 'must be a postgres:// URL'),
  schema: z.string(),
});

export interface MigrateOptions {
  databaseUrl: string;
  /** The brain's schema (`schemaForBrain(brain)`); created when missing. */
  schema: string;
  logger?: Logger;
}

/**
 * Brings `schema` up to the newest migration and returns the names it applied, oldest first.
 * Idempotent: a second run applies nothing. Replicas of one brain starting together serialize on
 * an advisory lock per schema (waiting at most 60 s); different brains never wait on each other.
 * All pending migrations commit in one transaction, or none do.
 */
export async function migrate(options: MigrateOptions): Promise<{ applied: string[] }> {
  const opts = parseOrThrow(
    MigrateOptions,
    { databaseUrl: options.databaseUrl, schema: options.schema },
    'migrate options',
  );
  const schema = assertSchemaName(opts.schema);
  const logger = (options.logger ?? createLogger({ name: 'forge-store' })).child({
    component: 'migrate',
    schema,
  });
  const client = new pg.Client({
    connectionString: opts.databaseUrl,
    application_name: 'forge-migrate',
    lock_timeout: LOCK_TIMEOUT_MS,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  client.on('error', (error) =>
    logger.warn({ err: { message: error.message } }, 'migration connection lost'),
  );
  await client.connect().catch((error: unknown) => {
    throw new ForgeError('UNAVAILABLE', `cannot connect to postgres to migrate ${schema}`, { cause: error });
  });
  try {
    const ran = await runner({
      dbClient: client,
      schema,
      createSchema: true,
      migrationsTable: MIGRATIONS_TABLE,
      dir: MIGRATIONS_DIR,
      direction: 'up',
      checkOrder: true,
      singleTransaction: true,
      lockValue: lockValueFor(schema),
      advisoryLockMode: 'wait',
      migrationLoaderStrategies: [{ extensions: ['.sql'], loader: sqlLoader(schema) }],
      logger: {
        debug: (msg) => logger.debug(msg),
        info: (msg) => logger.debug(msg),
        warn: (msg) => logger.warn(msg),
        error: (msg) => logger.error(msg),
      },
    });
    const applied = ran.map((migration) => migration.name);
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
    return { applied };
  } catch (error) {
    // A server answer (lock timeout, connection lost mid-run) keeps its transient/permanent
    // verdict; the runner's own errors (bad files, out-of-order history) are permanent.
    if (error instanceof ForgeError || error instanceof pg.DatabaseError)
      throw toForgeError(error, `migrating ${schema}`);
    throw new ForgeError('INTERNAL', `migrating ${schema} failed: ${(error as Error).message}`, {
      cause: error,
      retryable: false,
    });
  } finally {
    // The runner leaves search_path pointing at the schema: put it back before the session ends
    // (a pooler may hand this server session to someone else).
    await client.query('RESET search_path').catch(() => {});
    await client.end().catch(() => {});
  }
}

type Loader = Exclude<NonNullable<RunnerOption['migrationLoaderStrategies']>[number]['loader'], string>;

/**
 * Loads `NNNN_name.sql` files with `-- Up Migration` / `-- Down Migration` sections. Each step
 * starts with `SET LOCAL search_path` to the schema: the runner's own SET happens outside the
 * transaction, so the migration pins the schema it must land in itself.
 */
function sqlLoader(schema: string): Loader {
  const pin = `SET LOCAL search_path TO ${quoteIdent(schema)};`;
  return async (filePaths) =>
    Promise.all(
      filePaths.map(async (filePath) => {
        const { up, down } = splitSections(await readFile(filePath, 'utf8'), filePath);
        return {
          id: filePath,
          filePaths: [filePath],
          actions: {
            up: (pgm: MigrationBuilder) => {
              pgm.sql(pin);
              pgm.sql(up);
            },
            down:
              down === undefined
                ? false
                : (pgm: MigrationBuilder) => {
                    pgm.sql(pin);
                    pgm.sql(down);
                  },
          },
        };
      }),
    );
}

const UP_MARKER = /^\s*--\s*up migration\s*$/im;
const DOWN_MARKER = /^\s*--\s*down migration\s*$/im;

/** Splits a migration file at its markers; the up section is required and comes first. */
export function splitSections(content: string, file: string): { up: string; down?: string } {
  const upAt = content.search(UP_MARKER);
  if (upAt < 0) throw new ForgeError('INTERNAL', `migration ${file} has no "-- Up Migration" line`);
  const downAt = content.search(DOWN_MARKER);
  if (downAt >= 0 && downAt < upAt) {
    throw new ForgeError('INTERNAL', `migration ${file}: "-- Down Migration" must follow the up section`);
  }
  return downAt < 0
    ? { up: content.slice(upAt) }
    : { up: content.slice(upAt, downAt), down: content.slice(downAt) };
}

/** A stable advisory-lock key per schema, inside JavaScript's safe-integer range. */
function lockValueFor(schema: string): number {
  return createHash('sha256').update(`forge-migrate:${schema}`).digest().readUIntBE(0, 6);
}
