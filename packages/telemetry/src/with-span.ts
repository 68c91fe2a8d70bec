import { type Attributes, type Span, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';

export interface WithSpanOptions {
  attributes?: Attributes;
  kind?: SpanKind;
  tracer?: Tracer;
}

const DEFAULT_TRACER_NAME = '@forge/telemetry';

/**
 * Runs `fn` inside a new active span. The span records an exception and ERROR status when `fn`
 * throws, and always ends, whatever `fn` does. Returns what `fn` returns.
 */
export async function withSpan<T>(
  name: string,
  fn: (span: Span) => Promise<T> | T,
  options: WithSpanOptions = {},
): Promise<T> {
  const tracer = options.tracer ?? trace.getTracer(DEFAULT_TRACER_NAME);
  return tracer.startActiveSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes ?? {} },
    async (span) => {
      try {
        return await fn(span);
      } catch (error) {
        markSpanFailed(span, error);
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

export { SpanKind };

/** Records what a span's work threw: the exception event and an ERROR status with its message. */
export function markSpanFailed(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
}
