import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

/** Where a service's Prometheus scrape is answered, when the SDK serves it in-band. */
export const METRICS_PATH = '/metrics';

/**
 * The Prometheus text exposition of this process's metrics, served on the service's own HTTP
 * port. The telemetry SDK provides it when no separate metrics port is configured.
 */
export interface MetricsScrape {
  /** Writes the current metrics (`text/plain; version=0.0.4`) to `res`. */
  handle(req: IncomingMessage, res: ServerResponse): void;
}

/**
 * `listener` with `GET /metrics` answered by `scrape` in front of it (before any router, auth
 * or body parser: a scrape is cheap and unauthenticated, reachable inside the cluster only, as the
 * NetworkPolicies and the metrics port keep it). Without `scrape`, `listener` is returned as is.
 */
export function withMetricsEndpoint(
  listener: RequestListener,
  scrape: MetricsScrape | undefined,
): RequestListener {
  if (!scrape) return listener;
  return (req, res) => {
    const path = req.url?.split('?', 1)[0];
    if (path === METRICS_PATH && (req.method === 'GET' || req.method === 'HEAD')) {
      scrape.handle(req, res);
      return;
    }
    listener(req, res);
  };
}
