import { describeIssues, ForgeError } from '@forge/contracts';
import { z } from 'zod';

/** The log levels a service's `FORGE_LOG_LEVEL` takes (pino's). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const LogLevel = z.enum(LOG_LEVELS);
export type LogLevel = z.infer<typeof LogLevel>;

/** An empty variable counts as unset, so a default applies (or "is required" is said). */
export const emptyAsUnset = (value: unknown): unknown => (value === '' ? undefined : value);

/**
 * An integer variable from `min` to `max`. Absent or empty, it is `fallback`, or (with no
 * fallback) "is required".
 */
export function intFromEnv(min: number, max: number, fallback?: number) {
  const range = `must be an integer from ${min} to ${max}`;
  return z.preprocess(
    (v) => (v === undefined || v === '' ? fallback : Number(v)),
    z
      .number({ error: (issue) => (issue.input === undefined ? 'is required' : range) })
      .int(range)
      .min(min, range)
      .max(max, range),
  );
}

/** An optional integer variable from `min` to `max`; absent or empty, it is undefined. */
export function optionalIntFromEnv(min: number, max: number) {
  const range = `must be an integer from ${min} to ${max}`;
  return z.preprocess(
    (v) => (v === undefined || v === '' ? undefined : Number(v)),
    z.number({ error: range }).int(range).min(min, range).max(max, range).optional(),
  );
}

/** `1mb`, `512kb`, `100000` (bytes): what express's body parser accepts as a limit. */
export const BodyLimit = z
  .string()
  .regex(/^\d+(\.\d+)?\s*(b|kb|mb|gb)?$/i, 'must be a size such as 512kb or 1mb');

/** A `postgres://` connection URL (its password never appears in a message about it). */
export const PostgresUrl = z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL');

/** An optional http(s) URL variable; empty means unset. */
export const OptionalHttpUrl = z.preprocess(emptyAsUnset, z.url({ protocol: /^https?$/ }).optional());

/** An optional non-empty text variable (a path, a name); empty means unset. */
export const OptionalText = z.preprocess(emptyAsUnset, z.string().min(1).optional());

/**
 * Parses a service's environment with `schema`. Throws one BAD_CONFIG ForgeError listing every
 * bad variable at once (`<what>: FORGE_PORT: is required; DATABASE_URL: must be a postgres:// URL`),
 * with the issues in `details.issues`; a value never appears in it, only the variable's name.
 */
export function parseEnv<S extends z.ZodType>(
  schema: S,
  env: Readonly<Record<string, string | undefined>>,
  what: string,
): z.output<S> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const issues = describeIssues(parsed.error);
  throw new ForgeError('BAD_CONFIG', `${what}: ${issues.join('; ')}`, {
    retryable: false,
    details: { issues },
  });
}
