import { ForgeError } from '@forge/contracts';
import { z } from 'zod';
import { COMMANDS, type CommandName } from './usage.js';

/** The environment a command reads (process.env, or a test's own). */
export type Env = Readonly<Record<string, string | undefined>>;

/** Options every command takes. */
export interface CommonOptions {
  readonly brain: string;
  readonly portBase: number;
  readonly stateDir: string;
  readonly json: boolean;
}

/** Flag values as node's parseArgs gives them. */
export type Flags = Record<string, string | boolean | undefined>;

/** A usage error: the CLI prints the message and the command's usage, and exits 2. */
export function usageError(command: CommandName, message: string): ForgeError {
  return new ForgeError('BAD_INPUT', message, { retryable: false, details: { usage: command } });
}

/** The command whose usage goes with `error`, or null when it is not a usage error. */
export function usageOf(error: unknown): CommandName | null {
  if (!(error instanceof ForgeError) || error.code !== 'BAD_INPUT') return null;
  const topic = error.details?.usage;
  return COMMANDS.find((name) => name === topic) ?? null;
}

/** A whole number within [min, max], from the text of a flag or variable. */
export const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

/** Seconds (decimals allowed) as whole milliseconds, more than 0 and at most `max` seconds. */
export const seconds = (max: number) =>
  z
    .string()
    .regex(/^\d+(\.\d+)?$/, 'must be a number of seconds')
    .transform((text) => Math.round(Number(text) * 1000))
    .pipe(
      z
        .number()
        .min(1, 'must be more than 0')
        .max(max * 1000, `must be at most ${max}`),
    );

/** NATS_URL: one or more `nats://host:port`, comma-separated. */
export const natsUrl = z
  .string()
  .refine(
    (value) => value.split(',').every((part) => /^(nats|tls):\/\/[^\s/]+$/.test(part.trim())),
    'must be nats://host:port (comma-separated for several servers)',
  );

/** DATABASE_URL, when set. */
export const databaseUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// URL')
  .optional();

/** Raw values and, for each, where it came from (a flag or an environment variable). */
export interface Sourced {
  values: Record<string, string | boolean | undefined>;
  labels: Record<string, string>;
}

/**
 * Takes `field` from its flag when given, else from the environment variable `envName` when it
 * is set and not empty, and remembers which it was so an error can name it.
 */
export function pick(
  sourced: Sourced,
  field: string,
  flag: string | boolean | undefined,
  envName: string | undefined,
  env: Env,
): void {
  if (flag !== undefined) {
    sourced.values[field] = flag;
    sourced.labels[field] = `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  } else if (envName !== undefined && env[envName] !== undefined && env[envName] !== '') {
    sourced.values[field] = env[envName];
    sourced.labels[field] = envName;
  }
}

/** Validates with zod; every bad value is reported under the flag or variable it came from. */
export function validate<S extends z.ZodType>(
  command: CommandName,
  schema: S,
  sourced: Sourced,
): z.output<S> {
  const result = schema.safeParse(sourced.values);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const field = String(issue.path[0] ?? '');
    return `${sourced.labels[field] ?? field}: ${issue.message}`;
  });
  throw usageError(command, `invalid ${lines.join('; ')}`);
}
