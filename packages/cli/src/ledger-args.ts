import { resolve } from 'node:path';
import { OriginKind, SkillRef } from '@forge/contracts';
import { z } from 'zod';
import {
  type CommonOptions,
  databaseUrl,
  type Env,
  type Flags,
  pick,
  type Sourced,
  usageError,
  validate,
  wholeNumber,
} from './arg-rules.js';
import { type Since, SinceOrHoursText, SinceText } from './since.js';
import type { CommandName } from './usage.js';

/** A path flag or variable, made absolute against the working directory. */
export const filePath = z
  .string()
  .min(1, 'must not be empty')
  .transform((path) => resolve(path));

/** What the read-only routing commands share: where the config and the brain's Postgres are. */
export interface LedgerReadOptions extends CommonOptions {
  /** `--config` / FORGE_ROUTING_CONFIG (absolute); undefined: the running mesh's, else the repo's. */
  readonly routingConfig: string | undefined;
  /** DATABASE_URL, used when no `forge up` with an embedded Postgres runs for the brain. */
  readonly databaseUrl: string | undefined;
}

export interface RouteExplainOptions extends LedgerReadOptions {
  /** `<agent>.<skill>`, e.g. `compliance.review`. */
  readonly skill: string;
  /** The raw `--input` value: inline JSON or `@path`; undefined means `{}`. */
  readonly input: string | undefined;
  /** Who asks; for an a2a origin it is also the API principal the budgets and rules read. */
  readonly principal: string;
  readonly origin: OriginKind;
  /** Tasks waiting to be routed, for the backlog rules; undefined: not considered. */
  readonly pending: number | undefined;
}

export interface CostsOptions extends LedgerReadOptions {
  readonly since: Since;
}

function parseLedgerRead(
  command: CommandName,
  shared: CommonOptions,
  flags: Flags,
  sourced: Sourced,
  env: Env,
): LedgerReadOptions {
  pick(sourced, 'config', flags.config, 'FORGE_ROUTING_CONFIG', env);
  pick(sourced, 'databaseUrl', undefined, 'DATABASE_URL', env);
  const read = validate(command, z.object({ config: filePath.optional(), databaseUrl }), sourced);
  return { ...shared, routingConfig: read.config, databaseUrl: read.databaseUrl };
}

/** `forge tasks [--open] [--skill s] [--limit n]`. */
export function parseTasks(
  shared: CommonOptions,
  flags: Flags,
  sourced: Sourced,
  env: Env,
): LedgerReadOptions & { open: boolean; skill: string | undefined; limit: number } {
  const read = parseLedgerRead('tasks', shared, flags, sourced, env);
  pick(sourced, 'skill', flags.skill, undefined, env);
  pick(sourced, 'limit', flags.limit, undefined, env);
  const tasks = validate(
    'tasks',
    z.object({
      skill: SkillRef.optional(),
      limit: wholeNumber(1, 500).default(20),
    }),
    sourced,
  );
  return { ...read, open: flags.open === true, skill: tasks.skill, limit: tasks.limit };
}

/** `forge costs [--since …]`: the read options and where the window starts. */
export function parseCosts(shared: CommonOptions, flags: Flags, sourced: Sourced, env: Env): CostsOptions {
  const read = parseLedgerRead('costs', shared, flags, sourced, env);
  pick(sourced, 'since', flags.since, undefined, env);
  const costs = validate('costs', z.object({ since: SinceText.optional() }), sourced);
  return { ...read, since: costs.since ?? { kind: 'month-start' } };
}

export interface PartnersOptions extends LedgerReadOptions {
  /** Where the window starts; undefined: the start of this UTC month. */
  readonly since: Since | undefined;
}

/** `forge partners [--since 24h|7d|DATE|ISO]`: the read options and where the window starts. */
export function parsePartners(
  shared: CommonOptions,
  flags: Flags,
  sourced: Sourced,
  env: Env,
): PartnersOptions {
  const read = parseLedgerRead('partners', shared, flags, sourced, env);
  pick(sourced, 'since', flags.since, undefined, env);
  const partners = validate('partners', z.object({ since: SinceOrHoursText.optional() }), sourced);
  return { ...read, since: partners.since };
}

/** `forge route explain <agent>.<skill> [flags]`: every flag checked, each error naming its flag. */
export function parseRoute(
  shared: CommonOptions,
  flags: Flags,
  positionals: string[],
  sourced: Sourced,
  env: Env,
): RouteExplainOptions {
  const [verb, skill, ...extra] = positionals;
  if (verb !== 'explain') {
    throw usageError(
      'route',
      verb === undefined ? 'expected explain <skill>' : `unknown route command '${verb}'`,
    );
  }
  if (skill === undefined) throw usageError('route', 'expected explain <skill>, e.g. compliance.review');
  if (extra.length > 0) throw usageError('route', `unexpected argument '${extra[0]}'`);
  if (!SkillRef.safeParse(skill).success) {
    throw usageError('route', `invalid <skill>: '${skill}' must be <agent>.<skill>, e.g. compliance.review`);
  }
  const read = parseLedgerRead('route', shared, flags, sourced, env);
  pick(sourced, 'principal', flags.principal, undefined, env);
  pick(sourced, 'origin', flags.origin, undefined, env);
  pick(sourced, 'pending', flags.pending, undefined, env);
  const route = validate(
    'route',
    z.object({
      principal: z
        .string()
        .regex(/^[A-Za-z0-9._:@-]{1,200}$/, 'must be 1-200 of A-Z, a-z, 0-9, . _ : @ -')
        .default('operator'),
      origin: z
        .enum(OriginKind.options, { error: `must be one of ${OriginKind.options.join(', ')}` })
        .default('a2a'),
      pending: wholeNumber(0, 10_000_000).optional(),
    }),
    sourced,
  );
  return {
    ...read,
    skill,
    input: typeof flags.input === 'string' ? flags.input : undefined,
    principal: route.principal,
    origin: route.origin,
    pending: route.pending,
  };
}
