import { fileURLToPath } from 'node:url';
import { BrainName, describeIssues, ForgeError } from '@forge/contracts';
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The repo's `config/schedules.yaml` (`src/` and `dist/` both sit three levels below the root). */
export const DEFAULT_SCHEDULES_PATH = fileURLToPath(
  new URL('../../../config/schedules.yaml', import.meta.url),
);

const emptyAsUnset = (v: unknown) => (v === '' ? undefined : v);
const Int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const SchedulerEnv = z.object({
  FORGE_BRAIN: z.preprocess(emptyAsUnset, BrainName.default('local')),
  FORGE_HOST: z.string().min(1).default('127.0.0.1'),
  FORGE_PORT: Int(0, 65535).default(7307),
  NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
  FORGE_SCHEDULES_CONFIG: z.preprocess(emptyAsUnset, z.string().min(1).default(DEFAULT_SCHEDULES_PATH)),
  FORGE_DAY_URL: z.preprocess(emptyAsUnset, z.url({ protocol: /^https?$/ }).optional()),
  FORGE_CLOCK_SPEED: z.preprocess(emptyAsUnset, z.coerce.number().min(1).max(100_000).default(1)),
  FORGE_CLOCK_ANCHOR: z.preprocess(emptyAsUnset, z.iso.datetime().optional()),
  FORGE_CLOCK_START: z.preprocess(emptyAsUnset, z.iso.datetime().optional()),
  FORGE_SHUTDOWN_GRACE_MS: z.preprocess(emptyAsUnset, Int(0, 600_000).default(10_000)),
  FORGE_PG_POOL_MAX: z.preprocess(emptyAsUnset, Int(1, 100).default(4)),
  FORGE_LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.preprocess(emptyAsUnset, z.url().optional()),
});

/** The environment variables the scheduler reads (the chart's drift check uses them). */
export const SCHEDULER_ENV_VARIABLES: readonly string[] = Object.keys(SchedulerEnv.shape);

export interface SchedulerConfig {
  brain: string;
  host: string;
  /** `/livez` and `/readyz`; 0 picks a free port (tests). */
  port: number;
  natsUrl: string;
  databaseUrl: string;
  schedulesPath: string;
  /** `${NAME}` values for the schedules file (`FORGE_DAY_URL`: the offline day's loopback server). */
  scheduleVars: Record<string, string | undefined>;
  /** 1: the wall clock; more: a fast day from `clockAnchor` (what `forge up --fast` sets). */
  clockSpeed: number;
  clockAnchor: Date | undefined;
  /** The fast day's instant at `clockAnchor` (default: the anchor itself). */
  clockStart: Date | undefined;
  shutdownGraceMs: number;
  pgPoolMax: number;
  logLevel: (typeof LOG_LEVELS)[number];
  otlpEndpoint: string | undefined;
}

/** Reads the scheduler's configuration from `env`; BAD_CONFIG lists every bad variable at once. */
export function loadSchedulerConfig(env: Record<string, string | undefined>): SchedulerConfig {
  const parsed = SchedulerEnv.safeParse(env);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error);
    throw new ForgeError('BAD_CONFIG', `invalid scheduler configuration: ${issues.join('; ')}`, {
      retryable: false,
      details: { issues },
    });
  }
  const e = parsed.data;
  return {
    brain: e.FORGE_BRAIN,
    host: e.FORGE_HOST,
    port: e.FORGE_PORT,
    natsUrl: e.NATS_URL,
    databaseUrl: e.DATABASE_URL,
    schedulesPath: e.FORGE_SCHEDULES_CONFIG,
    scheduleVars: { FORGE_DAY_URL: e.FORGE_DAY_URL },
    clockSpeed: e.FORGE_CLOCK_SPEED,
    clockAnchor: e.FORGE_CLOCK_ANCHOR ? new Date(e.FORGE_CLOCK_ANCHOR) : undefined,
    clockStart: e.FORGE_CLOCK_START ? new Date(e.FORGE_CLOCK_START) : undefined,
    shutdownGraceMs: e.FORGE_SHUTDOWN_GRACE_MS,
    pgPoolMax: e.FORGE_PG_POOL_MAX,
    logLevel: e.FORGE_LOG_LEVEL,
    otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
  };
}
