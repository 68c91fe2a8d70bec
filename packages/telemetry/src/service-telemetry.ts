import type { MetricsScrape } from './metrics-endpoint.js';

/**
 * What a service's `main` gets from the telemetry its `instrumentation.ts` started
 * (`@forge/telemetry-sdk`), without importing the SDK: the in-band Prometheus scrape to mount, and
 * the flush to run last on shutdown.
 */
export interface ServiceTelemetry {
  /** Whether spans and metrics leave the process over OTLP. */
  readonly exporting: boolean;
  /** Set when `/metrics` belongs on the service's own port; unset when a metrics port of its own serves it. */
  readonly scrape?: MetricsScrape | undefined;
  /** Flushes pending spans and metrics and stops the SDK. Safe to call twice. */
  shutdown(): Promise<void>;
}
