export { type CreateLoggerOptions, createLogger, type Logger, redactUrl } from './logger.js';
export { extractTraceContext, type HeaderRecord, injectTraceContext } from './trace-context.js';
export { SpanKind, type WithSpanOptions, withSpan } from './with-span.js';
