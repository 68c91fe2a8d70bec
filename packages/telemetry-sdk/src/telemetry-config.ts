import { readFileSync } from 'node:fs';
import { describeIssues, ForgeError } from '@forge/contracts';
import { z } from 'zod';

/** How OTLP leaves the process: protobuf (the OTLP default) or JSON, both over HTTP. */
export type OtlpProtocol = 'http/protobuf' | 'http/json';

/** Which spans the instrumentations make: `quiet` (the default) or `verbose` (every layer). */
export type TraceDetail = 'quiet' | 'verbose';

/** Everything `startTelemetry` needs; made by {@link loadTelemetryConfig} or by hand in tests. */
export interface TelemetryConfig {
  /** `service.name`, e.g. `forge-router`. */
  serviceName: string;
  /** `service.version`. */
  serviceVersion: string;
  /** `service.namespace`: the brain. */
  namespace: string;
  /** `deployment.environment` (and `deployment.environment.name`), e.g. `production`, `local`. */
  environment: string;
  /** Unset: nothing leaves the process over OTLP (spans are still made, so trace ids cross hops). */
  otlp?: {
    /** Base URL; `/v1/traces` and `/v1/metrics` are appended. */
    endpoint: string;
    protocol: OtlpProtocol;
    /** Sent with every export (e.g. a collector's API key); never logged. */
    headers: Record<string, string>;
  };
  /** How often metrics are pushed over OTLP, ms. */
  metricExportIntervalMs: number;
  /**
   * The Prometheus scrape: with `port`, a server of its own on `host:port` answers `/metrics`
   * (the cluster's choice: the ingress never routes to it); without, the service mounts
   * `/metrics` on its own HTTP port (what `forge up` does).
   */
  metrics: { port?: number; host: string };
  traceDetail: TraceDetail;
}

const emptyAsUnset = (v: unknown) => (v === '' ? undefined : v);

const TelemetryEnv = z.object({
  OTEL_EXPORTER_OTLP_ENDPOINT: z.preprocess(emptyAsUnset, z.url({ protocol: /^https?$/ }).optional()),
  OTEL_EXPORTER_OTLP_PROTOCOL: z.preprocess(
    emptyAsUnset,
    z.enum(['http/protobuf', 'http/json']).default('http/protobuf'),
  ),
  OTEL_EXPORTER_OTLP_HEADERS: z.preprocess(
    emptyAsUnset,
    z
      .string()
      .regex(/^\s*[^=,\s]+\s*=[^,]*(,\s*[^=,\s]+\s*=[^,]*)*$/, 'must be key=value pairs, comma-separated')
      .optional(),
  ),
  OTEL_METRIC_EXPORT_INTERVAL: z.preprocess(
    emptyAsUnset,
    z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  ),
  FORGE_BRAIN: z.preprocess(emptyAsUnset, z.string().min(1).default('local')),
  FORGE_ENVIRONMENT: z.preprocess(emptyAsUnset, z.string().min(1).max(64).default('local')),
  FORGE_SERVICE_VERSION: z.preprocess(emptyAsUnset, z.string().min(1).max(64).optional()),
  FORGE_METRICS_PORT: z.preprocess(emptyAsUnset, z.coerce.number().int().min(1).max(65535).optional()),
  FORGE_METRICS_HOST: z.preprocess(emptyAsUnset, z.string().min(1).default('0.0.0.0')),
  FORGE_TRACE_DETAIL: z.preprocess(emptyAsUnset, z.enum(['quiet', 'verbose']).default('quiet')),
});

/** Every environment variable {@link loadTelemetryConfig} reads. */
export const TELEMETRY_ENV_VARIABLES: readonly string[] = Object.keys(TelemetryEnv.shape);

/** What the service itself knows: its name and where its package.json is (for the version). */
export interface ServiceIdentity {
  serviceName: string;
  /** `new URL('../package.json', import.meta.url)` from the service's instrumentation.ts. */
  packageJson?: URL;
}

/**
 * Reads the telemetry settings from `env`: the standard `OTEL_EXPORTER_OTLP_ENDPOINT`,
 * `OTEL_EXPORTER_OTLP_PROTOCOL`, `OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_METRIC_EXPORT_INTERVAL`, and
 * Forge's `FORGE_BRAIN` (service.namespace), `FORGE_ENVIRONMENT`, `FORGE_SERVICE_VERSION` (else
 * the package.json version), `FORGE_METRICS_PORT` / `FORGE_METRICS_HOST`, `FORGE_TRACE_DETAIL`.
 * Throws one BAD_CONFIG ForgeError listing every bad variable (header values never in it).
 */
export function loadTelemetryConfig(
  env: Readonly<Record<string, string | undefined>>,
  identity: ServiceIdentity,
): TelemetryConfig {
  const parsed = TelemetryEnv.safeParse(env);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error);
    throw new ForgeError('BAD_CONFIG', `invalid telemetry configuration: ${issues.join('; ')}`, {
      retryable: false,
      details: { issues },
    });
  }
  const e = parsed.data;
  return {
    serviceName: identity.serviceName,
    serviceVersion: e.FORGE_SERVICE_VERSION ?? packageVersion(identity.packageJson),
    namespace: e.FORGE_BRAIN,
    environment: e.FORGE_ENVIRONMENT,
    ...(e.OTEL_EXPORTER_OTLP_ENDPOINT
      ? {
          otlp: {
            endpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, ''),
            protocol: e.OTEL_EXPORTER_OTLP_PROTOCOL,
            headers: parseHeaders(e.OTEL_EXPORTER_OTLP_HEADERS),
          },
        }
      : {}),
    metricExportIntervalMs: e.OTEL_METRIC_EXPORT_INTERVAL,
    metrics: {
      host: e.FORGE_METRICS_HOST,
      ...(e.FORGE_METRICS_PORT === undefined ? {} : { port: e.FORGE_METRICS_PORT }),
    },
    traceDetail: e.FORGE_TRACE_DETAIL,
  };
}

/** `k=v,k2=v2` with URL-encoded values, as the OpenTelemetry spec writes OTLP headers. */
function parseHeaders(text: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (!text) return headers;
  for (const pair of text.split(',')) {
    const at = pair.indexOf('=');
    headers[pair.slice(0, at).trim()] = decodeURIComponent(pair.slice(at + 1).trim());
  }
  return headers;
}

/** The `version` of a package.json, or `0.0.0` when it cannot be read (never fails a start). */
function packageVersion(url: URL | undefined): string {
  if (!url) return '0.0.0';
  try {
    const version = (JSON.parse(readFileSync(url, 'utf8')) as { version?: unknown }).version;
    return typeof version === 'string' && version.length > 0 ? version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}
