import type { Instrumentation } from '@opentelemetry/instrumentation';
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import type { TraceDetail } from './telemetry-config.js';

/** Probes and scrapes come every few seconds from kubelet and Prometheus: never traced. */
const UNTRACED_PATHS = /^\/(livez|readyz|metrics)(\/|\?|$)/;

/**
 * The instrumentations of a service: http (server and client), express, pg. `quiet` (the
 * default) keeps what an operator reads a trace for: one span per HTTP request and one per
 * Postgres statement. It drops express's middleware and router layers (a span for every body
 * parser and auth check), pg's connect and pool-checkout spans, and statements run outside any
 * trace (readiness pings, pollers), which would each start a trace of their own. `verbose` keeps
 * every layer, for debugging the instrumentation itself.
 */
export function serviceInstrumentations(detail: TraceDetail): Instrumentation[] {
  const quiet = detail === 'quiet';
  return [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (req) => UNTRACED_PATHS.test(req.url ?? ''),
    }),
    new ExpressInstrumentation(
      quiet ? { ignoreLayersType: [ExpressLayerType.MIDDLEWARE, ExpressLayerType.ROUTER] } : {},
    ),
    new PgInstrumentation({ ignoreConnectSpans: quiet, requireParentSpan: quiet }),
  ];
}
