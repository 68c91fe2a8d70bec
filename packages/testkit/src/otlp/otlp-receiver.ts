import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { decodeMetricsJson, decodeTraceJson } from './otlp-json.js';
import type { OtlpAttributes, OtlpBatch, ReceivedMetric, ReceivedPoint, ReceivedSpan } from './otlp-model.js';
import { decodeMetricsRequest, decodeTraceRequest } from './otlp-protobuf.js';

export interface OtlpReceiverOptions {
  /** 0 (any free port) by default. */
  port?: number;
  host?: string;
}

/** One export request as received: its signal, encoding and whether it was understood. */
export interface OtlpRequestRecord {
  readonly signal: 'traces' | 'metrics' | 'logs';
  readonly encoding: 'protobuf' | 'json';
  readonly status: number;
  readonly error?: string;
}

/**
 * An OTLP/HTTP receiver for tests, as a collector or Jaeger would take the data: `POST
 * /v1/traces`, `/v1/metrics` (and `/v1/logs`, counted only), protobuf (`application/x-protobuf`)
 * or JSON (`application/json`), gzip or not. It keeps every span and every metric export it gets.
 */
export interface OtlpReceiver {
  /** `http://host:port`: what `OTEL_EXPORTER_OTLP_ENDPOINT` takes. */
  readonly url: string;
  /** Every span received, in arrival order. */
  readonly spans: readonly ReceivedSpan[];
  /** Every metric of every export, in arrival order (a cumulative metric appears once per export). */
  readonly metrics: readonly ReceivedMetric[];
  readonly requests: readonly OtlpRequestRecord[];
  /** The spans of one trace. */
  trace(traceId: string): ReceivedSpan[];
  /**
   * The newest point of metric `name` per attribute set (optionally only points whose
   * attributes include `match` and whose resource includes `resource`), newest export wins.
   */
  latest(name: string, match?: OtlpAttributes, resource?: OtlpAttributes): ReceivedPoint[];
  /** Resolves with `check()` once it returns a value (re-checked on every export), or rejects after `timeoutMs`. */
  waitFor<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T>;
  /** Forgets everything received. */
  reset(): void;
  close(): Promise<void>;
}

function includes(attributes: OtlpAttributes, match: OtlpAttributes | undefined): boolean {
  if (!match) return true;
  return Object.entries(match).every(([key, value]) => attributes[key] === value);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const SIGNALS = { '/v1/traces': 'traces', '/v1/metrics': 'metrics', '/v1/logs': 'logs' } as const;

function decode(
  signal: 'traces' | 'metrics' | 'logs',
  encoding: 'protobuf' | 'json',
  body: Buffer,
): OtlpBatch {
  if (signal === 'logs') return { spans: [], metrics: [] };
  if (encoding === 'json') {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return signal === 'traces' ? decodeTraceJson(parsed) : decodeMetricsJson(parsed);
  }
  return signal === 'traces' ? decodeTraceRequest(body) : decodeMetricsRequest(body);
}

/** Starts an OTLP/HTTP receiver on a free port (see {@link OtlpReceiver}). */
export async function startOtlpReceiver(options: OtlpReceiverOptions = {}): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const metrics: ReceivedMetric[] = [];
  const requests: OtlpRequestRecord[] = [];
  const waiters = new Set<() => void>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?', 1)[0] as keyof typeof SIGNALS;
    const signal = SIGNALS[path];
    if (req.method !== 'POST' || !signal) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not an OTLP path');
      return;
    }
    const type = req.headers['content-type'] ?? '';
    const encoding = type.includes('json') ? 'json' : 'protobuf';
    try {
      let body = await readBody(req);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const batch = decode(signal, encoding, body);
      spans.push(...batch.spans);
      metrics.push(...batch.metrics);
      requests.push({ signal, encoding, status: 200 });
      // An empty Export*ServiceResponse: `{}` in JSON, zero bytes in protobuf.
      if (encoding === 'json') res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      else res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      requests.push({ signal, encoding, status: 400, error: message });
      res.writeHead(400, { 'content-type': 'text/plain' }).end(message);
    }
    for (const waiter of [...waiters]) waiter();
  }

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    spans,
    metrics,
    requests,
    trace: (traceId) => spans.filter((span) => span.traceId === traceId),
    latest(name, match, resource) {
      const byAttributes = new Map<string, ReceivedPoint>();
      for (const metric of metrics) {
        if (metric.name !== name || !includes(metric.resource, resource)) continue;
        for (const point of metric.points) {
          if (!includes(point.attributes, match)) continue;
          const key = JSON.stringify([metric.resource['service.name'] ?? null, point.attributes]);
          const seen = byAttributes.get(key);
          if (!seen || seen.timeUnixNano <= point.timeUnixNano) byAttributes.set(key, point);
        }
      }
      return [...byAttributes.values()];
    },
    waitFor<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
      return new Promise((resolve, reject) => {
        const attempt = () => {
          const value = check();
          if (value === undefined) return;
          done();
          resolve(value);
        };
        const timer = setTimeout(() => {
          done();
          reject(
            new Error(
              `OTLP receiver: no ${what} within ${timeoutMs} ms (${spans.length} spans, ${metrics.length} metrics received)`,
            ),
          );
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(attempt);
        };
        waiters.add(attempt);
        attempt();
      });
    },
    reset() {
      spans.length = 0;
      metrics.length = 0;
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
