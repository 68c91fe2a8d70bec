import { anthropicError } from './anthropic-wire.js';
import {
  anthropicBatchView,
  anthropicResult,
  CUSTOM_ID,
  type FakeBatch,
  type FakeBatchItem,
  fileView,
  isObject,
  newId,
  openAIBatchView,
  openAIResultLines,
  parseJson,
  readJsonl,
} from './batch-wire.js';
import type { FakeReply, FakeRoute } from './fake-reply.js';
import { parseMultipart } from './multipart.js';
import { openAIError } from './openai-wire.js';
import type { CacheAccount } from './prompt-cache.js';
import { renderReply } from './render-reply.js';
import { BadFakeRequest, type RequestView, readAnthropicRequest } from './request-view.js';

/** An HTTP answer of the batch endpoints: JSON, or raw text (JSONL results, file content). */
export type BatchAnswer =
  | { status: number; json: unknown }
  | { status: number; text: string; contentType: string };

/** What a test sees of a batch. */
export interface FakeBatchView {
  id: string;
  route: FakeRoute;
  status: 'in_progress' | 'canceling' | 'ended' | 'failed';
  ending: 'completed' | 'expired' | 'canceled' | undefined;
  customIds: string[];
  /** The request bodies, in order. */
  models: string[];
}

export interface FakeBatchDeps {
  clock: () => number;
  /** The scripted reply for a request, or undefined for the default echo. */
  take: (route: FakeRoute, model: string) => FakeReply | undefined;
  /** The prompt cache's account of a request (called once per request processed). */
  account: (view: RequestView) => CacheAccount;
  baseUrl: () => string;
}

/**
 * Both vendors' batch APIs over the fake's scripted replies and prompt cache, on the fake's clock.
 * Anthropic Message Batches: create, retrieve, cancel, results (JSON lines). OpenAI: file upload
 * (multipart, purpose `batch`) and content, batch create (validated line by line as OpenAI does:
 * a bad file fails the whole batch), retrieve, cancel; results as output and error files.
 *
 * A batch processes all its requests when it ends: after `delayMs` on the clock (checked when it
 * is read), at once with `complete()`, or never, its requests expiring, with `expire()`. Each
 * request takes the next scripted reply that matches it, as a direct request would; a non-2xx
 * reply makes it `errored`.
 */
export class FakeBatches {
  readonly #deps: FakeBatchDeps;
  readonly #batches = new Map<string, FakeBatch>();
  readonly #files = new Map<string, { data: Buffer; filename: string; purpose: string; createdAt: number }>();
  delayMs: number;

  constructor(deps: FakeBatchDeps, delayMs = 0) {
    this.#deps = deps;
    this.delayMs = delayMs;
  }

  clear(): void {
    this.#batches.clear();
    this.#files.clear();
  }

  get views(): FakeBatchView[] {
    return [...this.#batches.values()].map((b) => ({
      id: b.id,
      route: b.route,
      status: b.status,
      ending: b.ending,
      customIds: b.items.map((i) => i.customId),
      models: b.items.map((i) => i.view.model),
    }));
  }

  /** Ends every batch still running: each request is processed now. */
  complete(): void {
    for (const b of this.#batches.values()) if (b.status === 'in_progress') this.#process(b, 'completed');
  }

  /** Ends every batch still running as expired: its window ran out, no request was processed. */
  expire(): void {
    for (const b of this.#batches.values()) {
      if (b.status !== 'in_progress' && b.status !== 'canceling') continue;
      for (const item of b.items) item.outcome ??= { kind: 'expired' };
      this.#end(b, 'expired');
    }
  }

  /** True when `path` is one of the batch or file endpoints. */
  static handles(path: string): boolean {
    return /^\/v1\/(messages\/batches|batches|files)(\/|$)/.test(path);
  }

  handle(method: string, path: string, contentType: string | undefined, raw: Buffer): BatchAnswer {
    const parts = path.split('/').filter(Boolean); // v1, ...
    if (parts[1] === 'messages') return this.#anthropic(method, parts.slice(3), raw);
    if (parts[1] === 'files') return this.#fileEndpoints(method, parts.slice(2), contentType, raw);
    return this.#openai(method, parts.slice(2), raw);
  }

  // --- Anthropic -----------------------------------------------------------------------------

  #anthropic(method: string, rest: string[], raw: Buffer): BatchAnswer {
    const bad = (status: number, message: string): BatchAnswer => ({
      status,
      json: anthropicError(status, message),
    });
    if (rest.length === 0 && method === 'POST') {
      const body = parseJson(raw);
      if (!isObject(body) || !Array.isArray(body.requests) || body.requests.length === 0)
        return bad(400, 'requests: required non-empty array');
      const items: FakeBatchItem[] = [];
      const seen = new Set<string>();
      for (const [i, request] of body.requests.entries()) {
        if (!isObject(request) || typeof request.custom_id !== 'string' || !CUSTOM_ID.test(request.custom_id))
          return bad(400, `requests.${i}.custom_id: must match ^[a-zA-Z0-9_-]{1,64}$`);
        if (seen.has(request.custom_id))
          return bad(400, `requests.${i}.custom_id: duplicate ${request.custom_id}`);
        seen.add(request.custom_id);
        if (isObject(request.params) && request.params.stream === true)
          return bad(400, `requests.${i}.params.stream: batches do not stream`);
        try {
          items.push({ customId: request.custom_id, view: readAnthropicRequest(request.params) });
        } catch (error) {
          if (error instanceof BadFakeRequest) return bad(400, `requests.${i}.params.${error.message}`);
          throw error;
        }
      }
      const batch = this.#create('anthropic', newId('msgbatch_'), items);
      return { status: 200, json: anthropicBatchView(batch, this.#deps.baseUrl()) };
    }
    const batch = this.#batches.get(rest[0] ?? '');
    if (batch?.route !== 'anthropic') return bad(404, `no batch ${rest[0]}`);
    this.#advance(batch);
    if (rest.length === 1 && method === 'GET')
      return { status: 200, json: anthropicBatchView(batch, this.#deps.baseUrl()) };
    if (rest[1] === 'cancel' && method === 'POST') {
      this.#cancel(batch);
      return { status: 200, json: anthropicBatchView(batch, this.#deps.baseUrl()) };
    }
    if (rest[1] === 'results' && method === 'GET') {
      if (batch.status !== 'ended') return bad(400, `batch ${batch.id} is still ${batch.status}`);
      const lines = batch.items.map((item) =>
        JSON.stringify({ custom_id: item.customId, result: anthropicResult(item) }),
      );
      return { status: 200, text: `${lines.join('\n')}\n`, contentType: 'application/binary' };
    }
    return bad(404, `no route ${method} ${rest.join('/')}`);
  }

  // --- OpenAI files ----------------------------------------------------------------------------

  #fileEndpoints(method: string, rest: string[], contentType: string | undefined, raw: Buffer): BatchAnswer {
    const bad = (status: number, message: string): BatchAnswer => ({
      status,
      json: openAIError(status, message),
    });
    if (rest.length === 0 && method === 'POST') {
      const form = parseMultipart(raw, contentType);
      if (!form) return bad(400, 'file: expected a multipart/form-data upload');
      const file = form.find((p) => p.name === 'file');
      const purpose = form.find((p) => p.name === 'purpose')?.data.toString('utf8');
      if (!file) return bad(400, 'file: required');
      if (!purpose) return bad(400, 'purpose: required');
      const id = newId('file-');
      const record = {
        data: file.data,
        filename: file.filename ?? 'upload',
        purpose,
        createdAt: this.#deps.clock(),
      };
      this.#files.set(id, record);
      return { status: 200, json: fileView(id, record) };
    }
    const file = this.#files.get(rest[0] ?? '');
    if (!file) return bad(404, `no file ${rest[0]}`);
    if (rest.length === 1 && method === 'GET') return { status: 200, json: fileView(rest[0]!, file) };
    if (rest[1] === 'content' && method === 'GET')
      return { status: 200, text: file.data.toString('utf8'), contentType: 'application/octet-stream' };
    return bad(404, `no route ${method} files/${rest.join('/')}`);
  }

  // --- OpenAI batches --------------------------------------------------------------------------

  #openai(method: string, rest: string[], raw: Buffer): BatchAnswer {
    const bad = (status: number, message: string): BatchAnswer => ({
      status,
      json: openAIError(status, message),
    });
    if (rest.length === 0 && method === 'POST') {
      const body = parseJson(raw);
      if (!isObject(body)) return bad(400, 'body: expected a JSON object');
      if (body.endpoint !== '/v1/chat/completions')
        return bad(400, 'endpoint: the fake batches /v1/chat/completions only');
      if (body.completion_window !== '24h') return bad(400, "completion_window: must be '24h'");
      const file = this.#files.get(String(body.input_file_id));
      if (!file) return bad(404, `input_file_id: no file ${String(body.input_file_id)}`);
      if (file.purpose !== 'batch') return bad(400, "input_file_id: the file's purpose is not batch");
      const { items, errors } = readJsonl(file.data.toString('utf8'));
      const batch = this.#create('openai', newId('batch_'), errors.length > 0 ? [] : items);
      batch.inputFileId = String(body.input_file_id);
      if (errors.length > 0) {
        batch.status = 'failed';
        batch.errors = errors;
        batch.endedAt = this.#deps.clock();
      }
      return { status: 200, json: openAIBatchView(batch) };
    }
    const batch = this.#batches.get(rest[0] ?? '');
    if (batch?.route !== 'openai') return bad(404, `no batch ${rest[0]}`);
    this.#advance(batch);
    if (rest.length === 1 && method === 'GET') return { status: 200, json: openAIBatchView(batch) };
    if (rest[1] === 'cancel' && method === 'POST') {
      this.#cancel(batch);
      return { status: 200, json: openAIBatchView(batch) };
    }
    return bad(404, `no route ${method} batches/${rest.join('/')}`);
  }

  /** Stores an ended OpenAI batch's output and error files. */
  #openAIFiles(b: FakeBatch): void {
    const { output, errors } = openAIResultLines(b);
    const store = (lines: string[]): string | undefined => {
      if (lines.length === 0) return undefined;
      const id = newId('file-');
      this.#files.set(id, {
        data: Buffer.from(`${lines.join('\n')}\n`),
        filename: `${b.id}.jsonl`,
        purpose: 'batch_output',
        createdAt: this.#deps.clock(),
      });
      return id;
    };
    b.outputFileId = store(output);
    b.errorFileId = store(errors);
  }

  // --- shared ------------------------------------------------------------------------------------

  #create(route: FakeRoute, id: string, items: FakeBatchItem[]): FakeBatch {
    const now = this.#deps.clock();
    const batch: FakeBatch = {
      id,
      route,
      createdAt: now,
      endsAt: now + this.delayMs,
      status: 'in_progress',
      items,
    };
    this.#batches.set(id, batch);
    return batch;
  }

  #advance(b: FakeBatch): void {
    if (b.status === 'in_progress' && this.#deps.clock() >= b.endsAt) this.#process(b, 'completed');
    else if (b.status === 'canceling') {
      for (const item of b.items) item.outcome ??= { kind: 'canceled' };
      this.#end(b, 'canceled');
    }
  }

  #cancel(b: FakeBatch): void {
    if (b.status === 'in_progress') b.status = 'canceling';
  }

  #process(b: FakeBatch, ending: 'completed'): void {
    for (const item of b.items) {
      if (item.outcome) continue;
      const reply = this.#deps.take(b.route, item.view.model) ?? {};
      const ok = (reply.status ?? 200) >= 200 && (reply.status ?? 200) <= 299 && reply.body === undefined;
      const rendered = renderReply(item.view, reply, ok ? this.#deps.account(item.view) : undefined);
      item.outcome =
        rendered.status >= 200 && rendered.status <= 299
          ? { kind: 'succeeded', ...rendered }
          : { kind: 'errored', ...rendered };
    }
    this.#end(b, ending);
  }

  #end(b: FakeBatch, ending: 'completed' | 'expired' | 'canceled'): void {
    b.status = 'ended';
    b.ending = ending;
    b.endedAt = this.#deps.clock();
    if (b.route === 'openai') this.#openAIFiles(b);
  }
}
