import { createNoopMeter, type MeterProvider } from '@opentelemetry/api';
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

const NO_METRICS: MeterProvider = { getMeter: () => createNoopMeter() };

/**
 * `quiet` also drops pg's metrics: it moves two pool counters up and down on every checkout and
 * release and records a histogram per statement, each hashing its attributes: together a few
 * percent of a busy service's CPU, for numbers the statement spans and Postgres's own statistics
 * already give. (A view cannot drop them cheaply: a dropped instrument still hashes every record.)
 */
export function quietMetrics(instrumentations: readonly Instrumentation[]): void {
  for (const instrumentation of instrumentations) {
    if (instrumentation instanceof PgInstrumentation) instrumentation.setMeterProvider(NO_METRICS);
  }
}
