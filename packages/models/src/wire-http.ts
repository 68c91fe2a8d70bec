import { pipeline, type Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { Agent, type Dispatcher } from 'undici';
import { type SseMessage, sseEvents } from './sse-events.js';

/** How long an idle connection to the vendor stays open for the next call. */
const KEEP_ALIVE_MS = 30_000;

/** One keep-alive connection pool for one provider. */
export function keepAliveAgent(): Agent {
  return new Agent({ keepAliveTimeout: KEEP_ALIVE_MS, keepAliveMaxTimeout: KEEP_ALIVE_MS * 2 });
}

/**
 * The body as the vendor meant it: inflated when it came compressed (gzip, deflate, br), else
 * itself. Through `pipeline`, so a socket that fails mid-body errors the inflated stream too.
 */
export function decoded(body: Readable, encoding: string | string[] | null | undefined): Readable {
  const coding = (Array.isArray(encoding) ? encoding.join(',') : (encoding ?? '')).trim().toLowerCase();
  const inflate =
    coding === 'gzip' || coding === 'x-gzip'
      ? createGunzip()
      : coding === 'br'
        ? createBrotliDecompress()
        : coding === 'deflate'
          ? createInflate()
          : undefined;
  return inflate ? pipeline(body, inflate, () => undefined) : body;
}

/** The error-body shapes of the two wire formats, which the SDKs read differently. */
export type WireVendor = 'openai' | 'anthropic';

/** Response headers read by name, as the SDK errors offer them (`parseRetryAfterMs` reads these). */
export interface HeaderReader {
  get(name: string): string | null;
}

function headerReader(headers: Record<string, string | string[] | undefined>): HeaderReader {
  return {
    get(name) {
      const value = headers[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

/**
 * The vendors' error text, built as the SDKs build it (their `APIError.makeMessage`): the error's
 * `message` when it has one, else the error as JSON, else the raw text; after the status.
 */
function sdkMessage(status: number | undefined, error: unknown, text: string | undefined): string {
  const message = (error as { message?: unknown } | null | undefined)?.message;
  const msg = message
    ? typeof message === 'string'
      ? message
      : JSON.stringify(message)
    : error
      ? JSON.stringify(error)
      : text;
  if (status && msg) return `${status} ${msg}`;
  if (status) return `${status} status code (no body)`;
  if (msg) return msg;
  return '(no status code or body)';
}

/** A non-2xx answer: what the SDKs' `APIError` with a status carries. */
export class WireStatusError extends Error {
  readonly status: number;
  readonly headers: HeaderReader;
  constructor(status: number, message: string, headers: HeaderReader) {
    super(message);
    this.name = 'WireStatusError';
    this.status = status;
    this.headers = headers;
  }
}

/** The connection failed, or broke before a whole JSON answer came (the SDKs' `APIConnectionError`). */
export class WireConnectionError extends Error {
  constructor(cause: unknown) {
    super('Connection error.', { cause });
    this.name = 'WireConnectionError';
  }
}

/** An error event inside an open stream (no status): the SDKs' `APIError` without a status. */
export class WireStreamError extends Error {
  readonly status: undefined = undefined;
  readonly type: string | null;
  constructor(message: string, type: string | null) {
    super(message);
    this.name = 'WireStreamError';
    this.type = type;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function readText(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
}

/**
 * HTTP to one vendor endpoint over `undici`'s dispatcher on one keep-alive `Agent`: the wire
 * client's transport. A POST of a JSON text with fixed headers; a 2xx answer read whole and
 * parsed once (`json`) or read as server-sent events (`events`); a non-2xx answer read and thrown
 * as `WireStatusError` with the message the vendor's SDK would give; a connection that fails or
 * breaks before the answer is whole thrown as `WireConnectionError`. Nothing is retried.
 */
export class WireHttp {
  readonly #agent = keepAliveAgent();
  readonly #origin: string;
  readonly #prefix: string;
  readonly #headers: Record<string, string>;
  readonly #vendor: WireVendor;

  /** `baseUrl` is the SDK's base URL (its path is kept as the prefix of every request path). */
  constructor(baseUrl: string, headers: Record<string, string>, vendor: WireVendor) {
    const url = new URL(baseUrl);
    this.#origin = url.origin;
    this.#prefix = url.pathname.replace(/\/+$/, '');
    this.#headers = { ...headers, 'content-type': 'application/json' };
    this.#vendor = vendor;
  }

  async #post(
    path: string,
    body: string,
    signal: AbortSignal,
    accept: string,
  ): Promise<Dispatcher.ResponseData> {
    try {
      return await this.#agent.request({
        origin: this.#origin,
        path: this.#prefix + path,
        method: 'POST',
        headers: { ...this.#headers, accept },
        body,
        signal,
      });
    } catch (error) {
      throw new WireConnectionError(error);
    }
  }

  /** Reads a non-2xx answer into the SDK's error message and throws it. */
  async #fail(res: Dispatcher.ResponseData): Promise<never> {
    const headers = headerReader(res.headers);
    let text: string;
    try {
      text = await readText(decoded(res.body, res.headers['content-encoding']));
    } catch (error) {
      throw new WireConnectionError(error);
    }
    const json = safeJson(text);
    const error = this.#vendor === 'openai' ? (json as { error?: unknown } | undefined)?.error : json;
    throw new WireStatusError(
      res.statusCode,
      sdkMessage(res.statusCode, error, json ? undefined : text),
      headers,
    );
  }

  /**
   * POSTs `body` to `path` and returns the parsed JSON answer (or its text when it is not JSON,
   * as the SDKs do). Throws `SyntaxError` for a JSON answer that does not parse.
   */
  async json(path: string, body: string, signal: AbortSignal): Promise<unknown> {
    const res = await this.#post(path, body, signal, 'application/json');
    if (res.statusCode < 200 || res.statusCode > 299) return this.#fail(res);
    let text: string;
    try {
      text = await readText(decoded(res.body, res.headers['content-encoding']));
    } catch (error) {
      throw new WireConnectionError(error);
    }
    if (res.statusCode === 204) return null;
    const type = String(res.headers['content-type'] ?? '')
      .split(';')[0]
      ?.trim();
    const isJson = type !== undefined && (type.includes('application/json') || type.endsWith('+json'));
    if (!isJson) return text;
    return text === '' ? undefined : JSON.parse(text);
  }

  /**
   * POSTs `body` to `path` and returns the answer's server-sent events. Iteration ends quietly
   * when `signal` aborts (the SDKs do the same; the caller's control says why); another failure
   * of the body throws its error. Leaving the loop early closes the connection's body.
   */
  async events(path: string, body: string, signal: AbortSignal): Promise<AsyncIterable<SseMessage>> {
    const res = await this.#post(path, body, signal, 'text/event-stream');
    if (res.statusCode < 200 || res.statusCode > 299) return this.#fail(res);
    const stream = decoded(res.body, res.headers['content-encoding']);
    return (async function* () {
      let done = false;
      try {
        yield* sseEvents(stream);
        done = true;
      } catch (error) {
        if (signal.aborted) return;
        throw error;
      } finally {
        if (!done) stream.destroy();
      }
    })();
  }

  /** The message and type of an error event inside a stream, as the vendor's SDK would give them. */
  streamError(payload: unknown): WireStreamError {
    if (this.#vendor === 'openai') {
      const error = payload as { message?: unknown; type?: unknown };
      return new WireStreamError(
        sdkMessage(undefined, error, undefined),
        typeof error?.type === 'string' ? error.type : null,
      );
    }
    const type = (payload as { error?: { type?: unknown } } | null)?.error?.type;
    return new WireStreamError(
      sdkMessage(undefined, payload, undefined),
      typeof type === 'string' ? type : null,
    );
  }

  /** Closes the connections once the requests in flight ended; later requests fail. */
  close(): Promise<void> {
    return this.#agent.close();
  }
}
