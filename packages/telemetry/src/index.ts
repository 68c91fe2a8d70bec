export { type CreateLoggerOptions, createLogger, type Logger, redactUrl } from './logger.js';
export {
  FORGE_METRICS,
  forgeMeter,
  type MetricSpec,
  MODEL_DURATION_BUCKETS,
  REQUEST_DURATION_BUCKETS,
  TOKEN_BUCKETS,
} from './metric-catalog.js';
export { METRICS_PATH, type MetricsScrape, withMetricsEndpoint } from './metrics-endpoint.js';
export type { ServiceTelemetry } from './service-telemetry.js';
export { extractTraceContext, type HeaderRecord, injectTraceContext } from './trace-context.js';
export { markSpanFailed, SpanKind, type WithSpanOptions, withSpan } from './with-span.js';
