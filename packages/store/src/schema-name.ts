import { BrainName, ForgeError, parseOrThrow } from '@forge/contracts';

/**
 * A Postgres schema name Forge will create and query. Lower-case only, so it never needs case
 * folding and always fits Postgres's 63-byte identifier limit.
 */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** The schema that holds one brain's tables: `forge_<brain>`. Throws BAD_INPUT for a bad brain name. */
export function schemaForBrain(brain: string): string {
  return `forge_${parseOrThrow(BrainName, brain, 'brain name', 'brain')}`;
}

/**
 * Returns `schema` unchanged when it is a safe schema name, else throws BAD_INPUT naming the field.
 * Every statement that interpolates a schema goes through here first.
 */
export function assertSchemaName(schema: string, field = 'schema'): string {
  if (typeof schema !== 'string' || !SCHEMA_NAME.test(schema)) {
    throw new ForgeError(
      'BAD_INPUT',
      `${field}: must be 1-63 of a-z, 0-9, _ and not start with a digit, got ${JSON.stringify(schema)}`,
      { retryable: false },
    );
  }
  return schema;
}

/** Quotes an identifier for SQL; the name has already passed `assertSchemaName` or is a literal. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * `"schema"."table"`: every runtime statement names its schema, so a bare table name never lands
 * in another brain through whatever search_path a pooled session was left with.
 */
export function qualified(schema: string, table: string): string {
  return `${quoteIdent(assertSchemaName(schema))}.${quoteIdent(table)}`;
}
