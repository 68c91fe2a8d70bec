import type { IncomingMessage } from 'node:http';
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { linkedSignal } from '@forge/service-runtime';
import { isNonPublicAddress } from './address-guard.js';
import { guardedLookup, RefusedAddressError } from './guarded-lookup.js';

/** Limits and identity of the scout's HTTP client. */
export interface FetchLimits {
  /** The whole fetch (redirects and body included) must end within this. */
  timeoutMs: number;
  /** Largest body accepted, after decompression, in bytes. */
  maxBytes: number;
  /** Redirects followed before giving up. */
  maxRedirects: number;
  userAgent: string;
}

export interface FetchFeedOptions extends FetchLimits {
  /** Validators from the last 200 answer: the server may answer 304 Not Modified. */
  etag?: string | null;
  lastModified?: string | null;
  /** Listed as local in config: loopback and private addresses are allowed. Otherwise refused. */
  allowPrivate: boolean;
  signal?: AbortSignal;
}

export type FetchFailure =
  | 'bad-url'
  | 'refused-address'
  | 'timeout'
  | 'too-large'
  | 'too-many-redirects'
  | 'http-status'
  | 'network'
  | 'aborted';

export type FeedFetchResult =
  | {
      kind: 'fetched';
      status: 200;
      body: Uint8Array;
      contentType: string | undefined;
      etag: string | null;
      lastModified: string | null;
      /** Where the document came from after redirects (relative links resolve against it). */
      url: string;
      /** Set when a 301/308 said the feed moved for good: config should be updated. */
      movedTo: string | null;
    }
  | { kind: 'not-modified'; status: 304; url: string; movedTo: string | null }
  | { kind: 'failed'; status: number | null; reason: FetchFailure; message: string; url: string };

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const ACCEPT =
  'application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, ' +
  'application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5';

class FetchProblem extends Error {
  constructor(
    readonly reason: FetchFailure,
    message: string,
    readonly status: number | null = null,
  ) {
    super(message);
  }
}

/**
 * GETs a feed with conditional headers, following up to `maxRedirects` redirects, under one
 * deadline, reading at most `maxBytes` (gzip, deflate and br are decoded and counted decoded).
 * Unless `allowPrivate`, every connection (each redirect hop included) is refused when the name
 * resolves to a loopback, private or link-local address, checked at connect time. Never throws
 * for what a server or the network does: the outcome is a result, `failed` with the reason.
 */
export async function fetchFeed(url: string, options: FetchFeedOptions): Promise<FeedFetchResult> {
  const sources = options.signal ? [options.signal] : [];
  const deadline = linkedSignal(sources, {
    ms: options.timeoutMs,
    reason: () => new FetchProblem('timeout', `no complete answer within ${options.timeoutMs} ms`),
  });
  let current = url;
  let movedTo: string | null = null;
  let permanent = true;
  try {
    for (let hop = 0; ; hop++) {
      const target = checkUrl(current, options.allowPrivate);
      const res = await request(target, options, deadline.signal);
      const status = res.statusCode ?? 0;
      if (REDIRECTS.has(status)) {
        res.resume();
        const location = res.headers.location;
        if (!location) throw new FetchProblem('http-status', `HTTP ${status} without a Location`, status);
        if (hop >= options.maxRedirects)
          throw new FetchProblem('too-many-redirects', `more than ${options.maxRedirects} redirects`, status);
        const next = new URL(location, target).toString();
        // A chain of permanent redirects moves the feed; one temporary hop makes it a visit.
        permanent &&= status === 301 || status === 308;
        movedTo = permanent ? next : null;
        current = next;
        continue;
      }
      if (status === 304) {
        res.resume();
        return { kind: 'not-modified', status: 304, url: current, movedTo };
      }
      if (status !== 200) {
        res.resume();
        throw new FetchProblem(
          'http-status',
          `HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}`,
          status,
        );
      }
      const body = await readBody(res, options.maxBytes);
      return {
        kind: 'fetched',
        status: 200,
        body,
        contentType: res.headers['content-type'],
        etag: header(res, 'etag'),
        lastModified: header(res, 'last-modified'),
        url: current,
        movedTo,
      };
    }
  } catch (error) {
    const problem = asProblem(error, deadline.signal, options.signal);
    return {
      kind: 'failed',
      status: problem.status,
      reason: problem.reason,
      message: problem.message,
      url: current,
    };
  } finally {
    deadline.dispose();
  }
}

function header(res: IncomingMessage, name: string): string | null {
  const value = res.headers[name];
  return typeof value === 'string' && value.length > 0 && value.length <= 1000 ? value : null;
}

function checkUrl(raw: string, allowPrivate: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new FetchProblem('bad-url', `not a URL: ${raw.slice(0, 200)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new FetchProblem('bad-url', `only http and https feeds are fetched, not ${url.protocol}`);
  if (url.username || url.password) throw new FetchProblem('bad-url', 'feed URLs carry no credentials');
  // A literal IP never goes through lookup, so it is checked here.
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && /^[\d.]+$|:/.test(host) && isNonPublicAddress(host))
    throw new FetchProblem(
      'refused-address',
      `${host} is a private or loopback address; list the feed as local to allow it`,
    );
  return url;
}

function request(url: URL, options: FetchFeedOptions, signal: AbortSignal): Promise<IncomingMessage> {
  const headers: Record<string, string> = {
    accept: ACCEPT,
    'accept-encoding': 'gzip, deflate, br',
    'user-agent': options.userAgent,
  };
  if (options.etag) headers['if-none-match'] = options.etag;
  if (options.lastModified) headers['if-modified-since'] = options.lastModified;
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(url, {
      method: 'GET',
      headers,
      signal,
      // One connection per fetch: feeds are fetched every half hour, and a pooled socket would
      // outlive the guard's check of the address it connected to.
      agent: false,
      ...(options.allowPrivate ? {} : { lookup: guardedLookup() }),
    });
    req.once('response', resolve);
    req.once('error', reject);
    req.end();
  });
}

function decoded(res: IncomingMessage): Readable {
  const encoding = (res.headers['content-encoding'] ?? '').trim().toLowerCase();
  switch (encoding) {
    case 'gzip':
    case 'x-gzip':
      return res.pipe(createGunzip());
    case 'deflate':
      return res.pipe(createInflate());
    case 'br':
      return res.pipe(createBrotliDecompress());
    default:
      return res;
  }
}

async function readBody(res: IncomingMessage, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    res.destroy();
    throw new FetchProblem('too-large', `body of ${declared} bytes is over the ${maxBytes}-byte limit`, 200);
  }
  const stream = decoded(res);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      size += (chunk as Buffer).length;
      if (size > maxBytes)
        throw new FetchProblem('too-large', `body is over the ${maxBytes}-byte limit`, 200);
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    res.destroy();
    stream.destroy();
    if (error instanceof FetchProblem) throw error;
    throw new FetchProblem('network', `reading the body failed: ${(error as Error).message}`, 200);
  }
  return Buffer.concat(chunks);
}

function asProblem(error: unknown, deadline: AbortSignal, caller: AbortSignal | undefined): FetchProblem {
  if (error instanceof FetchProblem && error.reason !== 'network') return error;
  // An abort shows up as the request's AbortError (or a broken body stream); the signal says whose.
  if (deadline.aborted) {
    if (caller?.aborted) return new FetchProblem('aborted', 'the fetch was canceled');
    const reason = deadline.reason;
    return reason instanceof FetchProblem ? reason : new FetchProblem('timeout', 'the fetch timed out');
  }
  if (error instanceof FetchProblem) return error;
  if (error instanceof RefusedAddressError) return new FetchProblem('refused-address', error.message);
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof RefusedAddressError) return new FetchProblem('refused-address', cause.message);
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  return new FetchProblem('network', code ? `${code}: ${message}` : message);
}
