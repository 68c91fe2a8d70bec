import { resolve } from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { BrainName, ForgeError, SkillId } from '@forge/contracts';
import { z } from 'zod';
import { defaultStateDir } from './paths.js';
import { findService, PG_PORT_OFFSET, SERVICE_TABLE } from './service-table.js';
import { COMMANDS, type CommandName } from './usage.js';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Options every command takes. */
export interface CommonOptions {
  readonly brain: string;
  readonly portBase: number;
  readonly stateDir: string;
  readonly json: boolean;
}

export interface UpOptions extends CommonOptions {
  readonly pgPort: number;
  readonly logLevel: LogLevel;
  readonly jsonLogs: boolean;
  readonly readyTimeoutMs: number;
  /** FORGE_CONCURRENCY: tasks each service runs at once (default 4); sizes the embedded Postgres. */
  readonly concurrency: number;
  /** NATS_URL, default `nats://127.0.0.1:4222`. */
  readonly natsUrl: string;
  /** DATABASE_URL; undefined means "start the embedded Postgres". */
  readonly databaseUrl: string | undefined;
}

export type StatusOptions = CommonOptions;

export interface SendOptions extends CommonOptions {
  readonly agent: string;
  readonly skill: string;
  /** The raw `--input` value: inline JSON or `@path`; undefined means `{}`. */
  readonly input: string | undefined;
  readonly stream: boolean;
  readonly timeoutMs: number;
  /** FORGE_API_KEY, which wins over the brain's operator.key file. */
  readonly apiKey: string | undefined;
}

export type Command =
  | { readonly name: 'up'; readonly options: UpOptions }
  | { readonly name: 'status'; readonly options: StatusOptions }
  | { readonly name: 'send'; readonly options: SendOptions }
  | { readonly name: 'help'; readonly topic: CommandName; readonly json: boolean };

export type Env = Readonly<Record<string, string | undefined>>;

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

const COMMON_FLAGS = {
  brain: { type: 'string' },
  'port-base': { type: 'string' },
  'state-dir': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

const FLAGS = {
  up: {
    ...COMMON_FLAGS,
    'pg-port': { type: 'string' },
    'log-level': { type: 'string' },
    'json-logs': { type: 'boolean' },
    'ready-timeout': { type: 'string' },
  },
  status: COMMON_FLAGS,
  send: {
    ...COMMON_FLAGS,
    input: { type: 'string' },
    stream: { type: 'boolean' },
    timeout: { type: 'string' },
  },
  help: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
} as const satisfies Record<CommandName, NonNullable<ParseArgsConfig['options']>>;

const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const seconds = (max: number) =>
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

const natsUrl = z
  .string()
  .refine(
    (value) => value.split(',').every((part) => /^(nats|tls):\/\/[^\s/]+$/.test(part.trim())),
    'must be nats://host:port (comma-separated for several servers)',
  );

const databaseUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// URL')
  .optional();

/** Raw values and, for each, where it came from (a flag or an environment variable). */
interface Sourced {
  values: Record<string, string | boolean | undefined>;
  labels: Record<string, string>;
}

function pick(
  sourced: Sourced,
  field: string,
  flag: string | boolean | undefined,
  envName: string,
  env: Env,
) {
  if (flag !== undefined) {
    sourced.values[field] = flag;
    sourced.labels[field] = `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  } else if (env[envName] !== undefined && env[envName] !== '') {
    sourced.values[field] = env[envName];
    sourced.labels[field] = envName;
  }
}

/** Validates with zod; every bad value is reported under the flag or variable it came from. */
function validate<S extends z.ZodType>(command: CommandName, schema: S, sourced: Sourced): z.output<S> {
  const result = schema.safeParse(sourced.values);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const field = String(issue.path[0] ?? '');
    return `${sourced.labels[field] ?? field}: ${issue.message}`;
  });
  throw usageError(command, `invalid ${lines.join('; ')}`);
}

function parseFlags(command: CommandName, args: string[]) {
  try {
    return parseArgs({ args, options: FLAGS[command], strict: true, allowPositionals: true });
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    const flag = /'(-[^' ]+)/.exec(text)?.[1] ?? '';
    const code = (error as { code?: string }).code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw usageError(command, `unknown flag ${flag}`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      throw usageError(
        command,
        `flag ${flag} ${/argument missing/.test(text) ? 'needs a value' : 'takes no value'}`,
      );
    }
    throw usageError(command, text);
  }
}

/**
 * Parses `forge <command> [flags]` (argv without node and the script). Flags win over the
 * environment, which wins over defaults. Throws a usage error (see {@link usageOf}) that names
 * the offending flag or variable.
 */
export function parseCommand(argv: readonly string[], env: Env): Command {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h') {
    return { name: 'help', topic: 'help', json: rest.includes('--json') };
  }
  const command = COMMANDS.find((name) => name === first);
  if (!command) throw usageError('help', `unknown command '${first}'`);
  const { values, positionals } = parseFlags(command, rest);
  const flags = values as Record<string, string | boolean | undefined>;
  if (command === 'help') {
    const topic = COMMANDS.find((name) => name === positionals[0]) ?? 'help';
    return { name: 'help', topic, json: flags.json === true };
  }
  if (flags.help) return { name: 'help', topic: command, json: flags.json === true };

  const sourced: Sourced = { values: {}, labels: {} };
  pick(sourced, 'brain', flags.brain, 'FORGE_BRAIN', env);
  pick(sourced, 'portBase', flags['port-base'], 'FORGE_PORT_BASE', env);
  pick(sourced, 'stateDir', flags['state-dir'], 'FORGE_STATE_DIR', env);
  const common = z.object({
    brain: BrainName.default('local'),
    portBase: wholeNumber(1024, 65535 - PG_PORT_OFFSET).default(7300),
    stateDir: z
      .string()
      .min(1, 'must not be empty')
      .transform((dir) => resolve(dir))
      .optional(),
  });
  const base = validate(command, common, sourced);
  const shared: CommonOptions = {
    brain: base.brain,
    portBase: base.portBase,
    stateDir: base.stateDir ?? defaultStateDir(),
    json: flags.json === true,
  };

  switch (command) {
    case 'up': {
      if (positionals.length > 0) throw usageError(command, `unexpected argument '${positionals[0]}'`);
      pick(sourced, 'pgPort', flags['pg-port'], 'FORGE_PG_PORT', env);
      pick(sourced, 'logLevel', flags['log-level'], 'FORGE_LOG_LEVEL', env);
      pick(sourced, 'readyTimeout', flags['ready-timeout'], 'FORGE_READY_TIMEOUT', env);
      pick(sourced, 'concurrency', undefined, 'FORGE_CONCURRENCY', env);
      pick(sourced, 'natsUrl', undefined, 'NATS_URL', env);
      pick(sourced, 'databaseUrl', undefined, 'DATABASE_URL', env);
      const up = validate(
        command,
        z.object({
          pgPort: wholeNumber(1, 65535).optional(),
          logLevel: z.enum(LOG_LEVELS).default('info'),
          readyTimeout: seconds(600).default(60_000),
          concurrency: wholeNumber(1, 256).default(4),
          natsUrl: natsUrl.default('nats://127.0.0.1:4222'),
          databaseUrl,
        }),
        sourced,
      );
      return {
        name: 'up',
        options: {
          ...shared,
          pgPort: up.pgPort ?? shared.portBase + PG_PORT_OFFSET,
          logLevel: up.logLevel,
          jsonLogs: flags['json-logs'] === true,
          readyTimeoutMs: up.readyTimeout,
          concurrency: up.concurrency,
          natsUrl: up.natsUrl,
          databaseUrl: up.databaseUrl,
        },
      };
    }
    case 'status':
      if (positionals.length > 0) throw usageError(command, `unexpected argument '${positionals[0]}'`);
      return { name: 'status', options: shared };
    case 'send': {
      if (positionals.length !== 2) {
        throw usageError(command, `expected <agent> <skill>, got ${positionals.length} argument(s)`);
      }
      const [agent, skill] = positionals as [string, string];
      if (!findService(agent)) {
        const known = SERVICE_TABLE.map((spec) => spec.name).join(', ');
        throw usageError(command, `invalid <agent>: unknown agent '${agent}' (one of ${known})`);
      }
      if (!SkillId.safeParse(skill).success) {
        throw usageError(
          command,
          `invalid <skill>: '${skill}' must be 1-64 of a-z, 0-9, - and start with a letter`,
        );
      }
      pick(sourced, 'timeout', flags.timeout, 'FORGE_SEND_TIMEOUT', env);
      const send = validate(command, z.object({ timeout: seconds(3600).default(120_000) }), sourced);
      return {
        name: 'send',
        options: {
          ...shared,
          agent,
          skill,
          input: typeof flags.input === 'string' ? flags.input : undefined,
          stream: flags.stream === true,
          timeoutMs: send.timeout,
          apiKey: env.FORGE_API_KEY || undefined,
        },
      };
    }
  }
}
