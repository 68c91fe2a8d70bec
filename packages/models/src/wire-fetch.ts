import { Readable } from 'node:stream';
import { request } from 'undici';
import { decoded, keepAliveAgent } from './wire-http.js';

/** A `fetch` for the vendor SDKs over one keep-alive connection pool, and how to close it. */
export interface WireFetch {
  readonly fetch: typeof globalThis.fetch;
  close(): Promise<void>;
}

/**
 * The SDKs' HTTP over `undici.request` on one keep-alive `Agent` per provider, in place of the
 * global `fetch`: the SDKs keep their requests, types, errors and streaming, and each call skips
 * fetch's per-call machinery (a Request object, web-stream bodies, the global dispatcher's
 * connection churn). A JSON answer is read whole before the SDK sees it, within the call's abort
 * signal (the SDK's timeout covers the body too); an event stream is handed over as a stream.
 * Compressed answers are inflated, as fetch would. A network failure rejects, as fetch does, and
 * the SDK turns it into its connection error (an abort into its timeout or abort error).
 */
export function wireFetch(): WireFetch {
  const dispatcher = keepAliveAgent();
  const wire = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, key) => {
      headers[key] = value;
    });
    const res = await request(url, {
      method: (init.method ?? 'GET') as 'GET',
      headers,
      body: (init.body ?? null) as string | Uint8Array | null,
      signal: init.signal ?? undefined,
      dispatcher,
    });
    const answered = new Headers();
    for (const [key, value] of Object.entries(res.headers)) {
      if (Array.isArray(value)) for (const v of value) answered.append(key, v);
      else if (value !== undefined) answered.set(key, value);
    }
    const status = res.statusCode;
    if (status === 204 || status === 205 || status === 304 || init.method === 'HEAD') {
      await res.body.dump();
      return new Response(null, { status, headers: answered });
    }
    const raw = decoded(res.body, answered.get('content-encoding'));
    if (raw !== res.body) {
      answered.delete('content-encoding');
      answered.delete('content-length');
    }
    if ((answered.get('content-type') ?? '').includes('text/event-stream')) {
      return new Response(Readable.toWeb(raw) as ReadableStream<Uint8Array>, { status, headers: answered });
    }
    // A socket's chunks are Buffers over plain ArrayBuffers (never shared memory), which is what
    // a Response body may be under the DOM's types too.
    const chunks: Buffer<ArrayBuffer>[] = [];
    for await (const chunk of raw) chunks.push(chunk as Buffer<ArrayBuffer>);
    return new Response(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks), {
      status,
      headers: answered,
    });
  };
  return { fetch: wire as typeof globalThis.fetch, close: () => dispatcher.close() };
}
