import {
  type Context,
  context,
  propagation,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';

/** A plain header map: what NATS headers and HTTP headers both reduce to. */
export type HeaderRecord = Record<string, string>;

const setter: TextMapSetter<HeaderRecord> = {
  set(carrier, key, value) {
    carrier[key] = value;
  },
};

const getter: TextMapGetter<HeaderRecord> = {
  keys: (carrier) => Object.keys(carrier),
  get(carrier, key) {
    // NATS keeps header case as sent; W3C names are lower-case, so look both ways.
    const direct = carrier[key];
    if (direct !== undefined) return direct;
    const lower = key.toLowerCase();
    for (const [name, value] of Object.entries(carrier)) if (name.toLowerCase() === lower) return value;
    return undefined;
  },
};

/** Writes the W3C trace headers (`traceparent`, `tracestate`) of `ctx` into `headers`. */
export function injectTraceContext(headers: HeaderRecord, ctx: Context = context.active()): HeaderRecord {
  propagation.inject(ctx, headers, setter);
  return headers;
}

/** The context carried by W3C trace headers in `headers`, on top of `base`. */
export function extractTraceContext(headers: HeaderRecord, base: Context = context.active()): Context {
  return propagation.extract(base, headers, getter);
}
