import { trace } from '@opentelemetry/api';
import { type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger } from 'pino';

/**
 * Keys whose values never reach a log line, wherever they sit in a logged object.
 * Secrets come from the environment or mounted files; this is the last line of defence.
 */
const REDACTED_KEYS = [
  'authorization',
  'Authorization',
  'apiKey',
  'api_key',
  'password',
  'secret',
  'token',
  'x-api-key',
  'databaseUrl',
];

export interface CreateLoggerOptions {
  /** Service or component name, logged as `service`. */
  name: string;
  level?: LoggerOptions['level'];
  /** Where lines go; stdout by default. Tests pass a stream to read what was logged. */
  destination?: NodeJS.WritableStream;
}

/**
 * A pino logger that stamps every line with the active span's `trace_id` and `span_id`, so a
 * log line leads to its trace in Jaeger. Add `taskId` with `logger.child({ taskId })`.
 */
export function createLogger(options: CreateLoggerOptions): Logger {
  const config: LoggerOptions = {
    level: options.level ?? 'info',
    base: { service: options.name },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: REDACTED_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
      censor: '[redacted]',
    },
    mixin() {
      const span = trace.getActiveSpan();
      if (!span) return {};
      const { traceId, spanId } = span.spanContext();
      return { trace_id: traceId, span_id: spanId };
    },
  };
  return options.destination ? pino(config, options.destination as pino.DestinationStream) : pino(config);
}

/** Masks everything but the scheme and host of a URL that may carry credentials. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username || parsed.password) {
      parsed.username = parsed.username ? '***' : '';
      parsed.password = parsed.password ? '***' : '';
    }
    return parsed.toString();
  } catch {
    return '[unparseable url]';
  }
}
