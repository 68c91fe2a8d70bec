import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BrainName, ForgeError } from '@forge/contracts';
import {
  emptyAsUnset,
  intFromEnv,
  LogLevel,
  OptionalHttpUrl,
  OptionalText,
  PasswordHash,
  PostgresUrl,
  parseEnv,
} from '@forge/service-runtime';
import { z } from 'zod';

/** The repo's `config/forge.yaml` (`src/` and `dist/` both sit three levels below the root). */
export const DEFAULT_ROUTING_CONFIG = fileURLToPath(new URL('../../../config/forge.yaml', import.meta.url));

const Bool = z.preprocess(
  (v) => (v === undefined || v === '' ? undefined : v),
  z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
);

const ConsoleEnv = z.object({
  FORGE_BRAIN: z.preprocess(emptyAsUnset, BrainName.default('local')),
  FORGE_HOST: z.string().min(1).default('127.0.0.1'),
  FORGE_PORT: intFromEnv(0, 65_535, 7309),
  FORGE_PUBLIC_URL: OptionalHttpUrl,
  NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
  DATABASE_URL: PostgresUrl,
  FORGE_ROUTING_CONFIG: z.preprocess(emptyAsUnset, z.string().min(1).default(DEFAULT_ROUTING_CONFIG)),
  FORGE_MODEL_PROVIDERS: z.preprocess(emptyAsUnset, z.string().default('')),
  FORGE_CONSOLE_OPERATOR: z.preprocess(
    emptyAsUnset,
    z
      .string()
      .regex(/^[a-z][a-z0-9._-]{0,63}$/, 'must be a lower-case name (a-z, 0-9, . _ -)')
      .default('operator'),
  ),
  FORGE_CONSOLE_PASSWORD_HASH: OptionalText,
  FORGE_CONSOLE_PASSWORD_HASH_FILE: OptionalText,
  FORGE_CONSOLE_COOKIE_SECURE: Bool,
  FORGE_CONSOLE_SESSION_IDLE_MINUTES: intFromEnv(1, 7 * 24 * 60, 60),
  FORGE_CONSOLE_SESSION_HOURS: intFromEnv(1, 24 * 30, 12),
  FORGE_CONSOLE_MAX_FAILURES: intFromEnv(1, 100, 5),
  FORGE_CONSOLE_LOCK_MINUTES: intFromEnv(1, 24 * 60, 15),
  FORGE_CONSOLE_LOGIN_ATTEMPTS_PER_MINUTE: intFromEnv(1, 1000, 10),
  FORGE_CONSOLE_POLL_MS: intFromEnv(100, 60_000, 1000),
  FORGE_CONSOLE_TRUSTED_PROXIES: intFromEnv(0, 10, 0),
  FORGE_JAEGER_URL: OptionalHttpUrl,
  FORGE_SHUTDOWN_GRACE_MS: intFromEnv(0, 600_000, 10_000),
  FORGE_PG_POOL_MAX: intFromEnv(1, 100, 4),
  FORGE_LOG_LEVEL: z.preprocess(emptyAsUnset, LogLevel.default('info')),
  OTEL_EXPORTER_OTLP_ENDPOINT: OptionalHttpUrl,
});

/** Every variable the console reads (the deploy checks compare the chart's env with it). */
export const CONSOLE_ENV_VARIABLES: readonly string[] = Object.keys(ConsoleEnv.shape);

/**
 * The console's environment checked without reading its secret file: what the deploy checks run
 * over a rendered Deployment. BAD_CONFIG names every bad variable at once.
 */
export function parseConsoleEnv(env: Record<string, string | undefined>): {
  host: string;
  port: number;
  shutdownGraceMs: number;
  passwordHashFile: string | undefined;
} {
  const e = parseEnv(ConsoleEnv, env, 'invalid console configuration');
  return {
    host: e.FORGE_HOST,
    port: e.FORGE_PORT,
    shutdownGraceMs: e.FORGE_SHUTDOWN_GRACE_MS,
    passwordHashFile: e.FORGE_CONSOLE_PASSWORD_HASH_FILE,
  };
}

export interface ConsoleConfig {
  brain: string;
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** Where people reach it; the default is `http://host:port`. */
  publicUrl: string | undefined;
  natsUrl: string;
  databaseUrl: string;
  routingConfigPath: string;
  /** Providers the router reaches (names), for `route explain`; empty: offline. */
  providers: string[];
  operator: string;
  /** Parsed at start-up: a bad hash never lets the console start. */
  passwordHash: PasswordHash;
  /** `Secure` cookies (and the `__Host-` name); default: when the public URL is https. */
  secureCookies: boolean;
  sessionIdleMs: number;
  sessionAbsoluteMs: number;
  maxFailures: number;
  lockMs: number;
  loginAttemptsPerMinute: number;
  /** How often the approvals feed looks for changes (for SSE). */
  pollMs: number;
  /** Proxies in front (an ingress): the client address is read from X-Forwarded-For past them. */
  trustedProxies: number;
  /** Jaeger UI base, for links to a task's trace; none: no links. */
  jaegerUrl: string | undefined;
  shutdownGraceMs: number;
  pgPoolMax: number;
  logLevel: LogLevel;
}

/**
 * The console's configuration from `env`; BAD_CONFIG lists every bad variable at once (never a
 * value). The password hash comes from FORGE_CONSOLE_PASSWORD_HASH or the file named by
 * FORGE_CONSOLE_PASSWORD_HASH_FILE (what `forge up` writes, mode 0600); one of them is required.
 */
export function loadConsoleConfig(env: Record<string, string | undefined>): ConsoleConfig {
  const e = parseEnv(ConsoleEnv, env, 'invalid console configuration');
  let hashText = e.FORGE_CONSOLE_PASSWORD_HASH;
  let where = 'FORGE_CONSOLE_PASSWORD_HASH';
  if (hashText === undefined && e.FORGE_CONSOLE_PASSWORD_HASH_FILE !== undefined) {
    where = `FORGE_CONSOLE_PASSWORD_HASH_FILE (${e.FORGE_CONSOLE_PASSWORD_HASH_FILE})`;
    try {
      hashText = readFileSync(e.FORGE_CONSOLE_PASSWORD_HASH_FILE, 'utf8');
    } catch (error) {
      throw new ForgeError('BAD_CONFIG', `${where}: cannot read: ${(error as NodeJS.ErrnoException).code}`);
    }
  }
  if (hashText === undefined) {
    throw new ForgeError(
      'BAD_CONFIG',
      'invalid console configuration: FORGE_CONSOLE_PASSWORD_HASH or FORGE_CONSOLE_PASSWORD_HASH_FILE: is required',
    );
  }
  const passwordHash = PasswordHash.parse(hashText, where);
  const secure =
    e.FORGE_CONSOLE_COOKIE_SECURE === undefined
      ? (e.FORGE_PUBLIC_URL ?? '').startsWith('https:')
      : e.FORGE_CONSOLE_COOKIE_SECURE === 'true';
  return {
    brain: e.FORGE_BRAIN,
    host: e.FORGE_HOST,
    port: e.FORGE_PORT,
    publicUrl: e.FORGE_PUBLIC_URL,
    natsUrl: e.NATS_URL,
    databaseUrl: e.DATABASE_URL,
    routingConfigPath: e.FORGE_ROUTING_CONFIG,
    providers: e.FORGE_MODEL_PROVIDERS.split(',')
      .map((p) => p.trim())
      .filter(Boolean),
    operator: e.FORGE_CONSOLE_OPERATOR,
    passwordHash,
    secureCookies: secure,
    sessionIdleMs: e.FORGE_CONSOLE_SESSION_IDLE_MINUTES * 60_000,
    sessionAbsoluteMs: e.FORGE_CONSOLE_SESSION_HOURS * 3_600_000,
    maxFailures: e.FORGE_CONSOLE_MAX_FAILURES,
    lockMs: e.FORGE_CONSOLE_LOCK_MINUTES * 60_000,
    loginAttemptsPerMinute: e.FORGE_CONSOLE_LOGIN_ATTEMPTS_PER_MINUTE,
    pollMs: e.FORGE_CONSOLE_POLL_MS,
    trustedProxies: e.FORGE_CONSOLE_TRUSTED_PROXIES,
    jaegerUrl: e.FORGE_JAEGER_URL?.replace(/\/+$/, ''),
    shutdownGraceMs: e.FORGE_SHUTDOWN_GRACE_MS,
    pgPoolMax: e.FORGE_PG_POOL_MAX,
    logLevel: e.FORGE_LOG_LEVEL,
  };
}
