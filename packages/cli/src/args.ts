import { type ParseArgsConfig, parseArgs } from 'node:util';
import { BrainName, ScheduleName, SkillId } from '@forge/contracts';
import { z } from 'zod';
import {
  type CommonOptions,
  databaseUrl,
  type Env,
  type Flags,
  natsUrl,
  pick,
  type Sourced,
  seconds,
  usageError,
  validate,
  wholeNumber,
} from './arg-rules.js';
import {
  type CostsOptions,
  filePath,
  type LedgerReadOptions,
  type PartnersOptions,
  parseCosts,
  parsePartners,
  parseRoute,
  parseTasks,
  type RouteExplainOptions,
} from './ledger-args.js';
import { defaultBrainsDir, defaultRoutingConfigPath, defaultStateDir } from './paths.js';
import { AGENT_TABLE, findAgent, GATEWAY, PG_PORT_OFFSET } from './service-table.js';
import { COMMANDS, type CommandName } from './usage.js';

export { type CommonOptions, type Env, type Flags, usageError, usageOf } from './arg-rules.js';
export type { CostsOptions, LedgerReadOptions, PartnersOptions, RouteExplainOptions } from './ledger-args.js';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

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
  /** The routing config the router runs with (absolute path; `--config`, FORGE_ROUTING_CONFIG, repo default). */
  readonly routingConfig: string;
  /** `--fast`: the scheduler and the offline day run FAST_DAY_SPEED times faster than the wall clock. */
  readonly fast: boolean;
  /** OTLP/HTTP endpoint every service exports traces and metrics to (`--otlp`, OTEL_EXPORTER_OTLP_ENDPOINT); unset: none. */
  readonly otlpEndpoint: string | undefined;
  /** The federation config the gateway runs with (absolute); unset: no gateway. */
  readonly federationConfig: string | undefined;
  /** `--brains a,b`: run these brains, each a whole mesh with its gateway; empty: just `brain`. */
  readonly brains: readonly string[];
  /** Where `--brains` finds `<brain>/federation.yaml` (FORGE_BRAINS_DIR, default config/brains). */
  readonly brainsDir: string;
  /** Gateway URLs of the other brains on this machine (FORGE_PARTNER_<NAME>_URL), set by --brains. */
  readonly localPartners: Readonly<Record<string, string>>;
}

/** How much faster a `forge up --fast` day runs: the 30-minute fetch every 5 s, a day in 4 minutes. */
export const FAST_DAY_SPEED = 360;

export const SCHEDULE_ACTIONS = ['list', 'run', 'pause', 'resume'] as const;
export type ScheduleAction = (typeof SCHEDULE_ACTIONS)[number];

export interface ScheduleOptions extends CommonOptions {
  readonly action: ScheduleAction;
  /** The schedule (run, pause, resume). */
  readonly name: string | undefined;
  readonly reason: string | undefined;
  /** NATS_URL, when set; else the running mesh's. */
  readonly natsUrl: string | undefined;
  readonly timeoutMs: number;
}

export type StatusOptions = CommonOptions;

export interface MigrateOptions extends CommonOptions {
  /** DATABASE_URL (required). */
  readonly databaseUrl: string;
  /** How long to keep retrying while Postgres does not answer. */
  readonly waitMs: number;
}

export interface SendOptions extends CommonOptions {
  readonly agent: string;
  readonly skill: string;
  /** The raw `--input` value: inline JSON or `@path`; undefined means `{}`. */
  readonly input: string | undefined;
  readonly stream: boolean;
  readonly timeoutMs: number;
  /** FORGE_API_KEY, which wins over the brain's operator.key file. */
  readonly apiKey: string | undefined;
  /** `partner/<name>/<agent>.<skill>`: ask a partner through the gateway (agent gateway, skill ask). */
  readonly partnerTarget?: string;
}

export interface ApprovalsOptions extends CommonOptions {
  readonly action: 'list' | 'show' | 'approve' | 'reject';
  readonly id: string | undefined;
  readonly status: string | undefined;
  readonly kind: string | undefined;
  readonly limit: number | undefined;
  readonly text: string | undefined;
  readonly at: string | undefined;
  readonly reason: string | undefined;
  /** FORGE_API_KEY, which wins over the brain's operator.key file. */
  readonly apiKey: string | undefined;
}

export interface TasksOptions extends LedgerReadOptions {
  readonly open: boolean;
  readonly skill: string | undefined;
  readonly limit: number;
}

export interface ConsoleOptions extends CommonOptions {
  readonly action: 'url' | 'reset-password' | 'hash-password';
  /** DATABASE_URL, where `reset-password` ends the console's sessions (else the running mesh's). */
  readonly databaseUrl: string | undefined;
}

export type Command =
  | { readonly name: 'up'; readonly options: UpOptions }
  | { readonly name: 'status'; readonly options: StatusOptions }
  | { readonly name: 'send'; readonly options: SendOptions }
  | { readonly name: 'route-explain'; readonly options: RouteExplainOptions }
  | { readonly name: 'costs'; readonly options: CostsOptions }
  | { readonly name: 'schedule'; readonly options: ScheduleOptions }
  | { readonly name: 'approvals'; readonly options: ApprovalsOptions }
  | { readonly name: 'tasks'; readonly options: TasksOptions }
  | { readonly name: 'partners'; readonly options: PartnersOptions }
  | { readonly name: 'console'; readonly options: ConsoleOptions }
  | { readonly name: 'migrate'; readonly options: MigrateOptions }
  | { readonly name: 'help'; readonly topic: CommandName; readonly json: boolean };

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
    config: { type: 'string' },
    fast: { type: 'boolean' },
    otlp: { type: 'string' },
    federation: { type: 'string' },
    brains: { type: 'string' },
  },
  status: COMMON_FLAGS,
  send: {
    ...COMMON_FLAGS,
    input: { type: 'string' },
    stream: { type: 'boolean' },
    timeout: { type: 'string' },
  },
  route: {
    ...COMMON_FLAGS,
    config: { type: 'string' },
    input: { type: 'string' },
    principal: { type: 'string' },
    origin: { type: 'string' },
    pending: { type: 'string' },
  },
  costs: { ...COMMON_FLAGS, config: { type: 'string' }, since: { type: 'string' } },
  partners: { ...COMMON_FLAGS, config: { type: 'string' }, since: { type: 'string' } },
  migrate: { ...COMMON_FLAGS, wait: { type: 'string' } },
  schedule: { ...COMMON_FLAGS, reason: { type: 'string' }, timeout: { type: 'string' } },
  approvals: {
    ...COMMON_FLAGS,
    status: { type: 'string' },
    kind: { type: 'string' },
    limit: { type: 'string' },
    text: { type: 'string' },
    at: { type: 'string' },
    now: { type: 'boolean' },
    reason: { type: 'string' },
  },
  tasks: {
    ...COMMON_FLAGS,
    config: { type: 'string' },
    open: { type: 'boolean' },
    skill: { type: 'string' },
    limit: { type: 'string' },
  },
  console: COMMON_FLAGS,
  help: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
} as const satisfies Record<CommandName, NonNullable<ParseArgsConfig['options']>>;

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

function noPositionals(command: CommandName, positionals: string[]): void {
  if (positionals.length > 0) throw usageError(command, `unexpected argument '${positionals[0]}'`);
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
  const flags = values as Flags;
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
    stateDir: filePath.optional(),
  });
  const base = validate(command, common, sourced);
  const shared: CommonOptions = {
    brain: base.brain,
    portBase: base.portBase,
    stateDir: base.stateDir ?? defaultStateDir(),
    json: flags.json === true,
  };

  switch (command) {
    case 'up':
      noPositionals(command, positionals);
      return { name: 'up', options: parseUp(shared, flags, sourced, env) };
    case 'status':
      noPositionals(command, positionals);
      return { name: 'status', options: shared };
    case 'send':
      return { name: 'send', options: parseSend(shared, flags, positionals, sourced, env) };
    case 'route':
      return { name: 'route-explain', options: parseRoute(shared, flags, positionals, sourced, env) };
    case 'costs':
      noPositionals(command, positionals);
      return { name: 'costs', options: parseCosts(shared, flags, sourced, env) };
    case 'schedule':
      return { name: 'schedule', options: parseSchedule(shared, flags, positionals, sourced, env) };
    case 'approvals':
      return { name: 'approvals', options: parseApprovals(shared, flags, positionals, env) };
    case 'tasks':
      noPositionals(command, positionals);
      return { name: 'tasks', options: parseTasks(shared, flags, sourced, env) };
    case 'partners':
      noPositionals(command, positionals);
      return { name: 'partners', options: parsePartners(shared, flags, sourced, env) };
    case 'console': {
      const [action = 'url', extra] = positionals;
      if (action !== 'url' && action !== 'reset-password' && action !== 'hash-password')
        throw usageError('console', `unknown action '${action}' (url, reset-password or hash-password)`);
      if (extra !== undefined) throw usageError('console', `unexpected argument '${extra}'`);
      pick(sourced, 'databaseUrl', undefined, 'DATABASE_URL', env);
      const read = validate('console', z.object({ databaseUrl }), sourced);
      return { name: 'console', options: { ...shared, action, databaseUrl: read.databaseUrl } };
    }
    case 'migrate': {
      noPositionals(command, positionals);
      pick(sourced, 'databaseUrl', undefined, 'DATABASE_URL', env);
      sourced.labels.databaseUrl = 'DATABASE_URL';
      pick(sourced, 'wait', flags.wait, undefined, env);
      const migrate = validate(
        'migrate',
        z.object({
          databaseUrl: z.string({ error: 'is required' }).pipe(databaseUrl.unwrap()),
          wait: seconds(3600).default(60_000),
        }),
        sourced,
      );
      return {
        name: 'migrate',
        options: { ...shared, databaseUrl: migrate.databaseUrl, waitMs: migrate.wait },
      };
    }
  }
}

function parseSchedule(
  shared: CommonOptions,
  flags: Flags,
  positionals: string[],
  sourced: Sourced,
  env: Env,
): ScheduleOptions {
  const [action, name, extra] = positionals;
  if (!SCHEDULE_ACTIONS.includes(action as ScheduleAction)) {
    throw usageError(
      'schedule',
      action === undefined
        ? 'expected list, run, pause or resume'
        : `unknown action '${action}' (list, run, pause or resume)`,
    );
  }
  if (action === 'list' && name !== undefined) throw usageError('schedule', `unexpected argument '${name}'`);
  if (action !== 'list') {
    if (name === undefined) throw usageError('schedule', `${action} needs a schedule name`);
    if (!ScheduleName.safeParse(name).success)
      throw usageError(
        'schedule',
        `invalid <name>: '${name}' must be 1-63 of a-z, 0-9, - and start with a letter`,
      );
  }
  if (extra !== undefined) throw usageError('schedule', `unexpected argument '${extra}'`);
  pick(sourced, 'timeout', flags.timeout, 'FORGE_SCHEDULE_TIMEOUT', env);
  pick(sourced, 'natsUrl', undefined, 'NATS_URL', env);
  const opts = validate(
    'schedule',
    z.object({ timeout: seconds(600).default(30_000), natsUrl: natsUrl.optional() }),
    sourced,
  );
  return {
    ...shared,
    action: action as ScheduleAction,
    name,
    reason: typeof flags.reason === 'string' ? flags.reason : undefined,
    natsUrl: opts.natsUrl,
    timeoutMs: opts.timeout,
  };
}

function parseUp(shared: CommonOptions, flags: Flags, sourced: Sourced, env: Env): UpOptions {
  pick(sourced, 'pgPort', flags['pg-port'], 'FORGE_PG_PORT', env);
  pick(sourced, 'logLevel', flags['log-level'], 'FORGE_LOG_LEVEL', env);
  pick(sourced, 'readyTimeout', flags['ready-timeout'], 'FORGE_READY_TIMEOUT', env);
  pick(sourced, 'concurrency', undefined, 'FORGE_CONCURRENCY', env);
  pick(sourced, 'natsUrl', undefined, 'NATS_URL', env);
  pick(sourced, 'databaseUrl', undefined, 'DATABASE_URL', env);
  pick(sourced, 'config', flags.config, 'FORGE_ROUTING_CONFIG', env);
  pick(sourced, 'otlp', flags.otlp, 'OTEL_EXPORTER_OTLP_ENDPOINT', env);
  pick(sourced, 'federation', flags.federation, 'FORGE_FEDERATION_CONFIG', env);
  pick(sourced, 'brains', flags.brains, 'FORGE_BRAINS', env);
  pick(sourced, 'brainsDir', undefined, 'FORGE_BRAINS_DIR', env);
  const up = validate(
    'up',
    z.object({
      pgPort: wholeNumber(1, 65535).optional(),
      logLevel: z.enum(LOG_LEVELS).default('info'),
      readyTimeout: seconds(600).default(60_000),
      concurrency: wholeNumber(1, 256).default(4),
      natsUrl: natsUrl.default('nats://127.0.0.1:4222'),
      databaseUrl,
      config: filePath.optional(),
      otlp: z
        .url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. http://127.0.0.1:4318' })
        .optional(),
      federation: filePath.optional(),
      brainsDir: filePath.optional(),
      brains: z
        .string()
        .transform((text) => text.split(',').map((name) => name.trim()))
        .pipe(
          z
            .array(BrainName)
            .min(2, 'name at least two brains, e.g. a,b')
            .max(4)
            .refine((names) => new Set(names).size === names.length, 'names a brain twice'),
        )
        .optional(),
    }),
    sourced,
  );
  return {
    ...shared,
    pgPort: up.pgPort ?? shared.portBase + PG_PORT_OFFSET,
    logLevel: up.logLevel,
    jsonLogs: flags['json-logs'] === true,
    readyTimeoutMs: up.readyTimeout,
    concurrency: up.concurrency,
    natsUrl: up.natsUrl,
    databaseUrl: up.databaseUrl,
    routingConfig: up.config ?? defaultRoutingConfigPath(),
    fast: flags.fast === true,
    otlpEndpoint: up.otlp?.replace(/\/+$/, ''),
    federationConfig: up.federation,
    brains: up.brains ?? [],
    brainsDir: up.brainsDir ?? defaultBrainsDir(),
    localPartners: {},
  };
}

function parseSend(
  shared: CommonOptions,
  flags: Flags,
  positionals: string[],
  sourced: Sourced,
  env: Env,
): SendOptions {
  if (positionals.length === 1 && positionals[0]!.startsWith('partner/')) {
    const target = positionals[0]!;
    if (!/^partner\/[a-z][a-z0-9-]{0,62}\/[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*$/.test(target)) {
      throw usageError('send', `invalid target: '${target}' must be partner/<name>/<agent>.<skill>`);
    }
    pick(sourced, 'timeout', flags.timeout, 'FORGE_SEND_TIMEOUT', env);
    const send = validate('send', z.object({ timeout: seconds(3600).default(120_000) }), sourced);
    return {
      ...shared,
      agent: GATEWAY,
      skill: 'ask',
      partnerTarget: target,
      input: typeof flags.input === 'string' ? flags.input : undefined,
      stream: flags.stream === true,
      timeoutMs: send.timeout,
      apiKey: env.FORGE_API_KEY || undefined,
    };
  }
  if (positionals.length !== 2) {
    throw usageError('send', `expected <agent> <skill>, got ${positionals.length} argument(s)`);
  }
  const [agent, skill] = positionals as [string, string];
  if (!findAgent(agent)) {
    const known = AGENT_TABLE.map((spec) => spec.name).join(', ');
    throw usageError('send', `invalid <agent>: unknown agent '${agent}' (one of ${known})`);
  }
  if (!SkillId.safeParse(skill).success) {
    throw usageError(
      'send',
      `invalid <skill>: '${skill}' must be 1-64 of a-z, 0-9, - and start with a letter`,
    );
  }
  pick(sourced, 'timeout', flags.timeout, 'FORGE_SEND_TIMEOUT', env);
  const send = validate('send', z.object({ timeout: seconds(3600).default(120_000) }), sourced);
  return {
    ...shared,
    agent,
    skill,
    input: typeof flags.input === 'string' ? flags.input : undefined,
    stream: flags.stream === true,
    timeoutMs: send.timeout,
    apiKey: env.FORGE_API_KEY || undefined,
  };
}

const APPROVAL_ACTIONS = ['list', 'show', 'approve', 'reject'] as const;

function parseApprovals(
  shared: CommonOptions,
  flags: Flags,
  positionals: string[],
  env: Env,
): ApprovalsOptions {
  const [action, id, ...rest] = positionals;
  const known = APPROVAL_ACTIONS.find((a) => a === action);
  if (!known) {
    throw usageError(
      'approvals',
      `expected list, show, approve or reject, got ${action ? `'${action}'` : 'nothing'}`,
    );
  }
  if (rest.length > 0) throw usageError('approvals', `unexpected argument '${rest[0]}'`);
  if (known === 'list' && id !== undefined) throw usageError('approvals', `list takes no <id>, got '${id}'`);
  if (known !== 'list' && (id === undefined || !z.uuid().safeParse(id).success)) {
    throw usageError(
      'approvals',
      `invalid <id>: ${known} needs the item's id (a UUID)${id ? `, got '${id}'` : ''}`,
    );
  }
  const str = (name: string) => (typeof flags[name] === 'string' ? (flags[name] as string) : undefined);
  const only = (names: string[], actions: readonly string[]) => {
    for (const name of names) {
      if (flags[name] !== undefined && !actions.includes(known)) {
        throw usageError('approvals', `flag --${name} does not apply to ${known}`);
      }
    }
  };
  only(['status', 'kind', 'limit'], ['list']);
  only(['text', 'at', 'now'], ['approve']);
  only(['reason'], ['approve', 'reject']);
  const status = str('status');
  if (status !== undefined && !['pending', 'approved', 'rejected', 'blocked'].includes(status)) {
    throw usageError('approvals', `invalid --status: '${status}' (pending, approved, rejected or blocked)`);
  }
  const kind = str('kind');
  if (kind !== undefined && !['post', 'budget'].includes(kind)) {
    throw usageError('approvals', `invalid --kind: '${kind}' (post or budget)`);
  }
  const limitText = str('limit');
  const limit = limitText === undefined ? undefined : Number(limitText);
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= 500)) {
    throw usageError('approvals', `invalid --limit: '${limitText}' must be an integer from 1 to 500`);
  }
  let at = str('at');
  if (at !== undefined && flags.now) throw usageError('approvals', 'give --at or --now, not both');
  if (at !== undefined && !z.iso.datetime({ offset: true }).safeParse(at).success) {
    throw usageError(
      'approvals',
      `invalid --at: '${at}' must be an ISO date-time such as 2026-12-01T15:00:00Z`,
    );
  }
  if (flags.now) at = new Date().toISOString();
  const reason = str('reason');
  if (known === 'reject' && (reason === undefined || reason.trim().length < 3)) {
    throw usageError('approvals', 'reject needs --reason "<why>" (at least 3 characters)');
  }
  return {
    ...shared,
    action: known,
    id,
    status,
    kind,
    limit,
    text: str('text'),
    at,
    reason,
    apiKey: env.FORGE_API_KEY || undefined,
  };
}
