import { fileURLToPath } from 'node:url';
import { BrainName } from '@forge/contracts';
import {
  BodyLimit,
  emptyAsUnset,
  intFromEnv,
  LogLevel,
  OptionalHttpUrl,
  OptionalText,
  optionalIntFromEnv,
  PostgresUrl,
  parseEnv,
} from '@forge/service-runtime';
import { z } from 'zod';

/**
 * The repo's `config/forge.yaml`: `src/config.ts` and `dist/config.js` both sit three levels
 * below the repo root, so one relative URL finds it under tsx, vitest and plain node.
 */
export const DEFAULT_ROUTING_CONFIG_PATH = fileURLToPath(
  new URL('../../../config/forge.yaml', import.meta.url),
);

const RouterEnv = z.object({
  FORGE_BRAIN: z.preprocess(emptyAsUnset, BrainName.default('local')),
  FORGE_HOST: z.string().min(1).default('127.0.0.1'),
  FORGE_PORT: intFromEnv(0, 65535, 7400),
  NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
  DATABASE_URL: PostgresUrl,
  FORGE_ROUTING_CONFIG: z.preprocess(emptyAsUnset, z.string().min(1).default(DEFAULT_ROUTING_CONFIG_PATH)),
  FORGE_API_KEYS_FILE: OptionalText,
  FORGE_CONCURRENCY: intFromEnv(1, 256, 8),
  FORGE_SHUTDOWN_GRACE_MS: intFromEnv(0, 600_000, 10_000),
  FORGE_LEDGER_FLUSH_MS: intFromEnv(1, 10_000, 25),
  FORGE_LOG_LEVEL: LogLevel.default('info'),
  FORGE_BODY_LIMIT: BodyLimit.default('4mb'),
  FORGE_PG_POOL_MAX: optionalIntFromEnv(1, 200),
  FORGE_PG_POOL_WAIT_MS: intFromEnv(1, 600_000, 10_000),
  FORGE_MAX_IN_FLIGHT: optionalIntFromEnv(1, 10_000),
  FORGE_ADMISSION_QUEUE: optionalIntFromEnv(0, 100_000),
  ANTHROPIC_BASE_URL: OptionalHttpUrl,
  OPENAI_BASE_URL: OptionalHttpUrl,
  FORGE_MODEL_TRANSPORT: z.preprocess(emptyAsUnset, z.enum(['wire', 'sdk']).default('wire')),
  OTEL_EXPORTER_OTLP_ENDPOINT: OptionalHttpUrl,
});

/** Every environment variable {@link loadRouterConfig} reads (besides the providers' key variables). */
export const ROUTER_ENV_VARIABLES: readonly string[] = Object.keys(RouterEnv.shape);

/** How the router runs; made by {@link loadRouterConfig} or by hand in tests. */
export interface RouterConfig {
  brain: string;
  host: string;
  /** HTTP port of `/v1/chat/completions`, `/livez`, `/readyz`; 0 picks a free one (tests). */
  port: number;
  natsUrl: string;
  databaseUrl: string;
  /** The routing config file (`forge.yaml`); reloaded on SIGHUP. */
  routingConfigPath: string;
  /** API keys of the OpenAI-compatible endpoint (the CLI's file); without it every call is refused. */
  apiKeysFile?: string | undefined;
  /** Tasks routed at once by this replica (`FORGE_CONCURRENCY`, as `forge up` sets it). */
  concurrency: number;
  /** Budget for the whole stop sequence, in ms. */
  shutdownGraceMs: number;
  /** Longest a ledger row or settlement waits before it is written (write-behind batching). */
  ledgerFlushMs: number;
  logLevel: LogLevel;
  bodyLimit: string;
  /**
   * Postgres connections; default `FORGE_CONCURRENCY + 6`, what `forge up` sizes the embedded
   * Postgres for per service (model calls and HTTP share the rest).
   */
  pgPoolMax: number;
  /**
   * Admission control over both edges (HTTP and the NATS model gateway): `maxInFlight` calls run
   * at once (`FORGE_MAX_IN_FLIGHT`, default 16 × `pgPoolMax`: a call spends most of its time on
   * the provider and holds a connection only for its short budget and accounting statements, so
   * sixteen calls share one and a statement waits for at most ~16 others, never the pool's whole
   * wait),
   * `maxQueued` wait (`FORGE_ADMISSION_QUEUE`, default 4 × `maxInFlight`), each until its own
   * deadline; beyond that a call is answered OVERLOADED (503 + Retry-After) at once.
   */
  admission: { maxInFlight: number; maxQueued: number };
  /**
   * Longest a statement waits for a free pool connection (`FORGE_PG_POOL_WAIT_MS`, default
   * 10 000); past it the call is answered OVERLOADED, never a bare 503.
   */
  pgPoolWaitMs: number;
  /** Override the vendors' endpoints (a proxy; the fake LLM server in tests). Beat the routing config's. */
  baseUrls: { anthropic?: string | undefined; openai?: string | undefined };
  /**
   * How provider adapters speak to vendors (`FORGE_MODEL_TRANSPORT`): `wire`, the thin client
   * (default), or `sdk`, the vendor SDKs (for side-by-side benchmarks, or as a fallback).
   */
  modelTransport?: 'wire' | 'sdk' | undefined;
  otlpEndpoint?: string | undefined;
  /**
   * Where provider keys are looked up by the variable names the routing config gives
   * (`apiKeyEnv`), directly or as a file named by `<NAME>_FILE`. Kept as a copy so the routing
   * config can be reloaded (with new names) without reading `process.env` anywhere else.
   */
  secretsEnv: Readonly<Record<string, string | undefined>>;
}

/**
 * Reads the router's configuration from `env` (the only place that reads the environment).
 * Throws one BAD_CONFIG ForgeError listing every bad variable, e.g.
 * `FORGE_PORT: Too big: expected number to be <=65535; DATABASE_URL: must be a postgres:// URL`.
 */
export function loadRouterConfig(env: Record<string, string | undefined>): RouterConfig {
  const e = parseEnv(RouterEnv, env, 'invalid router configuration');
  const pgPoolMax = e.FORGE_PG_POOL_MAX ?? e.FORGE_CONCURRENCY + 6;
  const maxInFlight = e.FORGE_MAX_IN_FLIGHT ?? pgPoolMax * 16;
  return {
    brain: e.FORGE_BRAIN,
    host: e.FORGE_HOST,
    port: e.FORGE_PORT,
    natsUrl: e.NATS_URL,
    databaseUrl: e.DATABASE_URL,
    routingConfigPath: e.FORGE_ROUTING_CONFIG,
    apiKeysFile: e.FORGE_API_KEYS_FILE,
    concurrency: e.FORGE_CONCURRENCY,
    shutdownGraceMs: e.FORGE_SHUTDOWN_GRACE_MS,
    ledgerFlushMs: e.FORGE_LEDGER_FLUSH_MS,
    logLevel: e.FORGE_LOG_LEVEL,
    bodyLimit: e.FORGE_BODY_LIMIT,
    pgPoolMax,
    pgPoolWaitMs: e.FORGE_PG_POOL_WAIT_MS,
    admission: { maxInFlight, maxQueued: e.FORGE_ADMISSION_QUEUE ?? maxInFlight * 4 },
    baseUrls: { anthropic: e.ANTHROPIC_BASE_URL, openai: e.OPENAI_BASE_URL },
    modelTransport: e.FORGE_MODEL_TRANSPORT,
    otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
    secretsEnv: Object.freeze({ ...env }),
  };
}
