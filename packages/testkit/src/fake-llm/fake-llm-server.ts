import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ANTHROPIC_MALFORMED_EVENT, anthropicError, anthropicStreamEvents } from './anthropic-wire.js';
import { type BatchAnswer, FakeBatches, type FakeBatchView } from './fake-batches.js';
import type { FakeReply, FakeRoute, RecordedRequest } from './fake-reply.js';
import { FakeScript } from './fake-script.js';
import { OPENAI_MALFORMED_EVENT, openAIError, openAIStreamEvents } from './openai-wire.js';
import { type CacheAccount, FakePromptCache } from './prompt-cache.js';
import { renderReply } from './render-reply.js';
import { planReply } from './reply-plan.js';
import { BadFakeRequest, type RequestView, readAnthropicRequest, readOpenAIRequest } from './request-view.js';
import type { SseEvent } from './sse-event.js';

export interface FakeLlmOptions {
  /** 0 (any free port) by default. */
  port?: number;
  host?: string;
  /** Keep every request in `requests`; on by default, turn off for long benchmarks. */
  record?: boolean;
  /**
   * The time the prompt cache and the batches live by (epoch ms); `Date.now` by default. A
   * benchmark that simulates a month passes its simulated clock.
   */
  clock?: () => number;
  /** Prompts (or prefixes) shorter than this are never cached. Default 1024, both vendors' minimum. */
  promptCacheMinTokens?: number;
  /** How long OpenAI keeps a prefix without `prompt_cache_retention: '24h'`. Default 10 minutes. */
  openaiCacheInMemoryMs?: number;
  /** How long a batch takes on the clock before it ends by itself. Default 0 (ended when next read). */
  batchDelayMs?: number;
}

/**
 * A real HTTP server speaking OpenAI chat-completions (`POST /v1/chat/completions`) and Anthropic
 * messages (`POST /v1/messages`), plain and streamed (SSE), with each vendor's prompt-cache
 * accounting (see `FakePromptCache`), and both vendors' batch APIs (Anthropic Message Batches;
 * OpenAI files + batches, see `FakeBatches`). Point the official SDKs at `openaiBaseUrl` /
 * `anthropicBaseUrl`.
 */
export interface FakeLlm {
  /** `http://host:port`. */
  readonly url: string;
  /** `${url}/v1`, the OpenAI SDK's `baseURL`. */
  readonly openaiBaseUrl: string;
  /** `url`, the Anthropic SDK's `baseURL` (it appends `/v1/messages`). */
  readonly anthropicBaseUrl: string;
  /** Queues replies; each request takes the first queued reply whose `match` fits it, in order. */
  script(...replies: FakeReply[]): void;
  /** Replies queued and not yet taken. */
  readonly pending: number;
  /** Every request received, oldest first. */
  readonly requests: readonly RecordedRequest[];
  /** Clears the script queue, the recorded requests, the prompt cache and the batches. */
  reset(): void;
  /** Clears the script queue only (the cache and batches stay). */
  clearScript(): void;
  /** Entries in the prompt cache (both vendors). */
  readonly cacheEntries: number;
  /** The batches created so far. */
  readonly batches: readonly FakeBatchView[];
  /** How long a new batch takes on the clock before it ends; Infinity: only when completed. */
  setBatchDelay(ms: number): void;
  /** Ends every running batch now, each request taking its scripted reply. */
  completeBatches(): void;
  /** Ends every running batch as expired: no request is processed. */
  expireBatches(): void;
  /** Stops listening and drops open connections (including stalled or streaming ones). */
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
  });
  res.end(payload);
}

function headersOf(reply: FakeReply): Record<string, string> {
  const headers: Record<string, string> = { 'x-request-id': `req_fake_${Date.now().toString(36)}` };
  if (reply.retryAfterSeconds !== undefined) headers['retry-after'] = String(reply.retryAfterSeconds);
  if (reply.retryAfterMs !== undefined) headers['retry-after-ms'] = String(reply.retryAfterMs);
  return { ...headers, ...reply.headers };
}

function wait(ms: number, res: ServerResponse): Promise<boolean> {
  if (ms <= 0) return Promise.resolve(!res.destroyed);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      res.off('close', onClose);
      resolve(!res.destroyed);
    }, ms);
    const onClose = () => {
      clearTimeout(timer);
      resolve(false);
    };
    res.once('close', onClose);
  });
}

/**
 * Cuts the connection mid-body: what was written is flushed, then the socket ends without the
 * body's end (no final chunk, or fewer bytes than content-length), as a dropped upstream does.
 */
function cut(res: ServerResponse): void {
  res.socket?.end();
}

async function sendEvents(res: ServerResponse, events: SseEvent[], reply: FakeReply): Promise<void> {
  res.writeHead(200, {
    ...headersOf(reply),
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  const cutAfter = reply.cutAfterChunks;
  const delay = reply.chunkDelayMs ?? 0;
  if (cutAfter === undefined && delay === 0) {
    // One write for the whole stream: the fast path a benchmark takes.
    res.end(events.map((event) => event.text).join(''));
    return;
  }
  let deltas = 0;
  for (const event of events) {
    if (cutAfter !== undefined && event.delta && deltas >= cutAfter) {
      cut(res);
      return;
    }
    if (!res.write(event.text)) await new Promise((resolve) => res.once('drain', resolve));
    if (event.delta) deltas += 1;
    if (delay > 0 && !(await wait(delay, res))) return;
  }
  if (cutAfter !== undefined) {
    cut(res);
    return;
  }
  res.end();
}

async function answer(
  view: RequestView,
  reply: FakeReply,
  res: ServerResponse,
  account: (view: RequestView) => CacheAccount,
): Promise<void> {
  if (!(await wait(reply.delayMs ?? 0, res))) return;
  const status = reply.status ?? 200;
  const headers = headersOf(reply);
  if (reply.body !== undefined || status < 200 || status > 299) {
    const rendered = renderReply(view, reply, undefined);
    return sendJson(res, rendered.status, rendered.body, headers);
  }
  // Only a request the vendor answers reads and writes its cache.
  const cache = account(view);
  const plan = planReply(view, reply, cache);
  if (view.stream) {
    if (reply.malformed) {
      const bad = view.route === 'openai' ? OPENAI_MALFORMED_EVENT : ANTHROPIC_MALFORMED_EVENT;
      const events = view.route === 'openai' ? openAIStreamEvents(plan, view) : anthropicStreamEvents(plan);
      // The broken event comes after the first content delta, mid-stream.
      const at = events.findIndex((event) => event.delta);
      events.splice(at < 0 ? 1 : at + 1, 0, bad);
      return sendEvents(res, events, reply);
    }
    const events = view.route === 'openai' ? openAIStreamEvents(plan, view) : anthropicStreamEvents(plan);
    return sendEvents(res, events, reply);
  }
  if (reply.malformed) {
    const payload = '{"id": "broken", "choices": [{"message": {"content": "hal';
    res.writeHead(200, {
      ...headers,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
    });
    res.end(payload);
    return;
  }
  const body = renderReply(view, reply, cache).body;
  if (reply.cutAfterChunks !== undefined) {
    const payload = JSON.stringify(body);
    res.writeHead(200, {
      ...headers,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
    });
    res.write(payload.slice(0, Math.floor(payload.length / 2)));
    cut(res);
    return;
  }
  sendJson(res, 200, body, headers);
}

function routeOf(req: IncomingMessage): FakeRoute | undefined {
  if (req.method !== 'POST') return undefined;
  const path = (req.url ?? '').split('?')[0];
  if (path === '/v1/chat/completions') return 'openai';
  if (path === '/v1/messages') return 'anthropic';
  return undefined;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendBatchAnswer(res: ServerResponse, answer: BatchAnswer): void {
  if ('json' in answer) {
    sendJson(res, answer.status, answer.json, {});
    return;
  }
  res.writeHead(answer.status, {
    'content-type': answer.contentType,
    'content-length': Buffer.byteLength(answer.text),
  });
  res.end(answer.text);
}

function parseJsonBody(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Starts the fake LLM server on 127.0.0.1 (a free port unless `port` is given). */
export async function startFakeLlm(options: FakeLlmOptions = {}): Promise<FakeLlm> {
  const script = new FakeScript();
  const requests: RecordedRequest[] = [];
  const record = options.record ?? true;
  const clock = options.clock ?? Date.now;
  const cache = new FakePromptCache({
    clock,
    minTokens: options.promptCacheMinTokens ?? 1024,
    openaiInMemoryMs: options.openaiCacheInMemoryMs ?? 10 * 60_000,
  });
  const account = (view: RequestView): CacheAccount =>
    view.cache.route === 'anthropic'
      ? cache.anthropic(view.model, view.cache.blocks)
      : cache.openai(view.model, view.cache.key, view.cache.retention24h, view.cache.header, view.promptText);
  let url = '';
  const batches = new FakeBatches(
    { clock, take: (route, model) => script.take(route, model), account, baseUrl: () => url },
    options.batchDelayMs ?? 0,
  );

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const raw = await readBody(req);
    if (FakeBatches.handles(path)) {
      if (record) {
        requests.push({
          route: path.startsWith('/v1/messages') ? 'anthropic' : 'openai',
          method: req.method ?? 'GET',
          path: req.url ?? '',
          model: '',
          stream: false,
          body: parseJsonBody(raw),
          headers: { ...req.headers },
          receivedAt: Date.now(),
        });
      }
      sendBatchAnswer(res, batches.handle(req.method ?? 'GET', path, req.headers['content-type'], raw));
      return;
    }
    const route = routeOf(req);
    if (route === undefined) {
      sendJson(res, 404, { error: { message: `no route ${req.method} ${req.url}` } }, {});
      return;
    }
    const body = parseJsonBody(raw);
    const model =
      typeof (body as { model?: unknown })?.model === 'string' ? (body as { model: string }).model : '';
    if (record) {
      requests.push({
        route,
        method: req.method ?? 'POST',
        path: req.url ?? '',
        model,
        stream: (body as { stream?: unknown })?.stream === true,
        body,
        headers: { ...req.headers },
        receivedAt: Date.now(),
      });
    }
    let view: RequestView;
    try {
      view = route === 'openai' ? readOpenAIRequest(body) : readAnthropicRequest(body);
    } catch (error) {
      if (!(error instanceof BadFakeRequest)) throw error;
      const render = route === 'openai' ? openAIError : anthropicError;
      sendJson(res, 400, render(400, error.message), {});
      return;
    }
    await answer(view, script.take(route, view.model, view.outputName) ?? {}, res, account);
  };

  const server: Server = createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: String(error) } }, {});
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  url = `http://${host}:${address.port}`;

  return {
    url,
    openaiBaseUrl: `${url}/v1`,
    anthropicBaseUrl: url,
    script: (...replies) => script.push(replies),
    get pending() {
      return script.pending;
    },
    requests,
    reset() {
      script.clear();
      requests.length = 0;
      cache.clear();
      batches.clear();
    },
    clearScript() {
      script.clear();
    },
    get cacheEntries() {
      return cache.size;
    },
    get batches() {
      return batches.views;
    },
    setBatchDelay(ms: number) {
      batches.delayMs = ms;
    },
    completeBatches: () => batches.complete(),
    expireBatches: () => batches.expire(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
