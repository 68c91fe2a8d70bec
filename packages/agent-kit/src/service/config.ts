import { BrainName, describeIssues, ForgeError } from '@forge/contracts';
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** `1mb`, `512kb`, `100000` (bytes): what express's body parser accepts as a limit. */
const BodyLimit = z.string().regex(/^\d+(\.\d+)?\s*(b|kb|mb|gb)?$/i, 'must be a size such as 512kb or 1mb');

/** An integer variable; absent or empty means "not set" (so a default applies, or "is required"). */
const IntFromEnv = (min: number, max: number) => {
  const range = `must be an integer from ${min} to ${max}`;
  return z.preprocess(
    (v) => (v === undefined || v === '' ? undefined : Number(v)),
    z
      .number({ error: (issue) => (issue.input === undefined ? 'is required' : range) })
      .int(range)
      .min(min, range)
      .max(max, range),
  );
};

const optionalUrl = z.preprocess((v) => (v === '' ? undefined : v), z.url().optional());

const AgentEnv = z.object({
  FORGE_BRAIN: z.preprocess((v) => (v === '' ? undefined : v), BrainName.default('local')),
  FORGE_HOST: z.string().min(1).default('127.0.0.1'),
  FORGE_PORT: IntFromEnv(0, 65535),
  FORGE_PUBLIC_URL: optionalUrl,
  NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
  FORGE_API_KEYS_FILE: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(1).optional()),
  FORGE_CONCURRENCY: IntFromEnv(1, 256).optional().default(4),
  FORGE_SHUTDOWN_GRACE_MS: IntFromEnv(0, 600_000).optional().default(10_000),
  FORGE_DISPATCH: z.enum(['direct', 'router']).default('direct'),
  FORGE_LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  FORGE_BODY_LIMIT: BodyLimit.default('1mb'),
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl,
});

/** Every environment variable {@link loadAgentConfig} reads (the chart's drift check compares against it). */
export const AGENT_ENV_VARIABLES: readonly string[] = Object.keys(AgentEnv.shape);

/** How an agent service runs; made by {@link loadAgentConfig} or by hand in tests. */
export interface AgentConfig {
  brain: string;
  host: string;
  /** 0 lets the OS pick a free port (tests). */
  port: number;
  /** Where callers reach this service; defaults to `http://<host>:<bound port>`. */
  publicUrl?: string | undefined;
  natsUrl: string;
  databaseUrl: string;
  /** The API keys file the CLI writes; without it every protected request is refused. */
  apiKeysFile?: string | undefined;
  /** At most this many tasks run at once in this instance. */
  concurrency: number;
  /** Budget for the whole stop sequence, in ms. */
  shutdownGraceMs: number;
  /** `direct`: publish to `task.run.<agent>`; `router`: publish to `task.route`. */
  dispatch: 'direct' | 'router';
  logLevel: (typeof LOG_LEVELS)[number];
  bodyLimit: string;
  otlpEndpoint?: string | undefined;
  /** Longest a blocking SendMessage waits before answering with the task as it stands. Default 60 s. */
  blockingWaitMs?: number;
  /** How long a status relay waits for an event before re-reading Postgres. Default 2 s. */
  statusQuietMs?: number;
  /** JetStream deliveries before a task is failed and dead-lettered. Default 5. */
  maxDeliver?: number;
  /** JetStream ack wait for task messages; the bus heartbeats at a third of it. Default 30 s. */
  ackWaitMs?: number;
  /** Nak delays by delivery count. Default the bus's. */
  backoffMs?: number[];
}

/**
 * Reads an agent service's configuration from `env` (the only place that reads the environment).
 * Throws one BAD_CONFIG ForgeError listing every bad variable, e.g.
 * `FORGE_PORT: Invalid input; DATABASE_URL: must be a postgres:// URL`.
 */
export function loadAgentConfig(env: Record<string, string | undefined>): AgentConfig {
  const parsed = AgentEnv.safeParse(env);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error);
    throw new ForgeError('BAD_CONFIG', `invalid configuration: ${issues.join('; ')}`, {
      retryable: false,
      details: { issues },
    });
  }
  const e = parsed.data;
  const publicUrl =
    e.FORGE_PUBLIC_URL ??
    (e.FORGE_PORT > 0 ? `http://${hostForUrl(e.FORGE_HOST)}:${e.FORGE_PORT}` : undefined);
  return {
    brain: e.FORGE_BRAIN,
    host: e.FORGE_HOST,
    port: e.FORGE_PORT,
    publicUrl: publicUrl?.replace(/\/$/, ''),
    natsUrl: e.NATS_URL,
    databaseUrl: e.DATABASE_URL,
    apiKeysFile: e.FORGE_API_KEYS_FILE,
    concurrency: e.FORGE_CONCURRENCY,
    shutdownGraceMs: e.FORGE_SHUTDOWN_GRACE_MS,
    dispatch: e.FORGE_DISPATCH,
    logLevel: e.FORGE_LOG_LEVEL,
    bodyLimit: e.FORGE_BODY_LIMIT,
    otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
  };
}

/** IPv6 literals need brackets in a URL; `0.0.0.0` is not a place to send callers. */
export function hostForUrl(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
