import { BrainName } from '@forge/contracts';
import {
  BodyLimit,
  emptyAsUnset,
  hostForUrl,
  intFromEnv,
  LogLevel,
  OptionalHttpUrl,
  OptionalText,
  PostgresUrl,
  parseEnv,
} from '@forge/service-runtime';
import { z } from 'zod';

const AgentEnv = z.object({
  FORGE_BRAIN: z.preprocess(emptyAsUnset, BrainName.default('local')),
  FORGE_HOST: z.string().min(1).default('127.0.0.1'),
  FORGE_PORT: intFromEnv(0, 65535),
  FORGE_PUBLIC_URL: OptionalHttpUrl,
  NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
  DATABASE_URL: PostgresUrl,
  FORGE_API_KEYS_FILE: OptionalText,
  FORGE_CONCURRENCY: intFromEnv(1, 256, 4),
  FORGE_SHUTDOWN_GRACE_MS: intFromEnv(0, 600_000, 10_000),
  FORGE_LOG_LEVEL: LogLevel.default('info'),
  FORGE_BODY_LIMIT: BodyLimit.default('1mb'),
  OTEL_EXPORTER_OTLP_ENDPOINT: OptionalHttpUrl,
});

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
  logLevel: LogLevel;
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
  const e = parseEnv(AgentEnv, env, 'invalid configuration');
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
    logLevel: e.FORGE_LOG_LEVEL,
    bodyLimit: e.FORGE_BODY_LIMIT,
    otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
  };
}
