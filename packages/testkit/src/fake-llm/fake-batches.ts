import { randomBytes } from 'node:crypto';
import { anthropicError } from './anthropic-wire.js';
import type { FakeReply, FakeRoute } from './fake-reply.js';
import { parseMultipart } from './multipart.js';
import { openAIError } from './openai-wire.js';
import type { CacheAccount } from './prompt-cache.js';
import { renderReply } from './render-reply.js';
import { BadFakeRequest, type RequestView, readAnthropicRequest, readOpenAIRequest } from './request-view.js';

/** An HTTP answer of the batch endpoints: JSON, or raw text (JSONL results, file content). */
export type BatchAnswer =
  | { status: number; json: unknown }
  | { status: number; text: string; contentType: string };

type ItemOutcome =
  | { kind: 'succeeded'; status: number; body: unknown }
  | { kind: 'errored'; status: number; body: unknown }
  | { kind: 'expired' }
  | { kind: 'canceled' };

interface Item {
  customId: string;
  view: RequestView;
  outcome?: ItemOutcome;
}

interface Batch {
  id: string;
  route: FakeRoute;
  createdAt: number;
  /** When processing ends by itself (clock ms); Infinity: only when told. */
  endsAt: number;
  status: 'in_progress' | 'canceling' | 'ended' | 'failed';
  /** How it ended. */
  ending?: 'completed' | 'expired' | 'canceled';
  endedAt?: number;
  items: Item[];
  inputFileId?: string;
  outputFileId?: string;
  errorFileId?: string;
  /** OpenAI: why validation failed. */
  errors?: string[];
}

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

const DAY_MS = 24 * 60 * 60_000;
const CUSTOM_ID = /^[a-zA-Z0-9_-]{1,64}$/;

function newId(prefix: string): string {
  return `${prefix}${randomBytes(12).toString('hex')}`;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const seconds = (ms: number) => Math.floor(ms / 1000);

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
  readonly #batches = new Map<string, Batch>();
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
      const items: Item[] = [];
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
      return { status: 200, json: this.#anthropicView(batch) };
    }
    const batch = this.#batches.get(rest[0] ?? '');
    if (batch?.route !== 'anthropic') return bad(404, `no batch ${rest[0]}`);
    this.#advance(batch);
    if (rest.length === 1 && method === 'GET') return { status: 200, json: this.#anthropicView(batch) };
    if (rest[1] === 'cancel' && method === 'POST') {
      this.#cancel(batch);
      return { status: 200, json: this.#anthropicView(batch) };
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

  #anthropicView(b: Batch): Record<string, unknown> {
    const count = (kind: ItemOutcome['kind']) => b.items.filter((i) => i.outcome?.kind === kind).length;
    const ended = b.status === 'ended';
    return {
      id: b.id,
      type: 'message_batch',
      processing_status: b.status === 'failed' ? 'ended' : b.status,
      request_counts: {
        processing: b.items.filter((i) => i.outcome === undefined).length,
        succeeded: count('succeeded'),
        errored: count('errored'),
        canceled: count('canceled'),
        expired: count('expired'),
      },
      created_at: new Date(b.createdAt).toISOString(),
      expires_at: new Date(b.createdAt + DAY_MS).toISOString(),
      ended_at: ended && b.endedAt !== undefined ? new Date(b.endedAt).toISOString() : null,
      cancel_initiated_at:
        b.ending === 'canceled' || b.status === 'canceling'
          ? new Date(b.endedAt ?? b.createdAt).toISOString()
          : null,
      archived_at: null,
      results_url: ended ? `${this.#deps.baseUrl()}/v1/messages/batches/${b.id}/results` : null,
    };
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
      return { status: 200, json: this.#openAIView(batch) };
    }
    const batch = this.#batches.get(rest[0] ?? '');
    if (batch?.route !== 'openai') return bad(404, `no batch ${rest[0]}`);
    this.#advance(batch);
    if (rest.length === 1 && method === 'GET') return { status: 200, json: this.#openAIView(batch) };
    if (rest[1] === 'cancel' && method === 'POST') {
      this.#cancel(batch);
      return { status: 200, json: this.#openAIView(batch) };
    }
    return bad(404, `no route ${method} batches/${rest.join('/')}`);
  }

  #openAIView(b: Batch): Record<string, unknown> {
    const status =
      b.status === 'in_progress'
        ? 'in_progress'
        : b.status === 'canceling'
          ? 'cancelling'
          : b.status === 'failed'
            ? 'failed'
            : b.ending === 'canceled'
              ? 'cancelled'
              : b.ending === 'expired'
                ? 'expired'
                : 'completed';
    const completed = b.items.filter((i) => i.outcome?.kind === 'succeeded').length;
    const failed = b.items.filter((i) => i.outcome !== undefined && i.outcome.kind !== 'succeeded').length;
    const at = b.endedAt === undefined ? undefined : seconds(b.endedAt);
    return {
      id: b.id,
      object: 'batch',
      endpoint: '/v1/chat/completions',
      input_file_id: b.inputFileId,
      completion_window: '24h',
      status,
      output_file_id: b.outputFileId ?? null,
      error_file_id: b.errorFileId ?? null,
      created_at: seconds(b.createdAt),
      in_progress_at: seconds(b.createdAt),
      expires_at: seconds(b.createdAt + DAY_MS),
      completed_at: status === 'completed' ? at : null,
      expired_at: status === 'expired' ? at : null,
      cancelled_at: status === 'cancelled' ? at : null,
      failed_at: status === 'failed' ? at : null,
      errors: b.errors
        ? {
            object: 'list',
            data: b.errors.map((message, line) => ({ code: 'invalid_request', message, line })),
          }
        : null,
      request_counts: { total: b.items.length, completed, failed },
      metadata: null,
    };
  }

  /** The output and error files of an ended OpenAI batch. */
  #openAIFiles(b: Batch): void {
    const output: string[] = [];
    const errors: string[] = [];
    for (const item of b.items) {
      const o = item.outcome;
      const line = { id: newId('batch_req_'), custom_id: item.customId };
      if (o?.kind === 'succeeded') {
        output.push(
          JSON.stringify({
            ...line,
            response: { status_code: o.status, request_id: newId('req_'), body: o.body },
            error: null,
          }),
        );
      } else if (o?.kind === 'errored') {
        errors.push(
          JSON.stringify({
            ...line,
            response: { status_code: o.status, request_id: newId('req_'), body: o.body },
            error: null,
          }),
        );
      } else {
        const code = o?.kind === 'canceled' ? 'batch_cancelled' : 'batch_expired';
        const message =
          code === 'batch_cancelled'
            ? 'This request was not executed because the batch was cancelled.'
            : 'This request could not be executed before the completion window expired.';
        errors.push(JSON.stringify({ ...line, response: null, error: { code, message } }));
      }
    }
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

  #create(route: FakeRoute, id: string, items: Item[]): Batch {
    const now = this.#deps.clock();
    const batch: Batch = {
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

  #advance(b: Batch): void {
    if (b.status === 'in_progress' && this.#deps.clock() >= b.endsAt) this.#process(b, 'completed');
    else if (b.status === 'canceling') {
      for (const item of b.items) item.outcome ??= { kind: 'canceled' };
      this.#end(b, 'canceled');
    }
  }

  #cancel(b: Batch): void {
    if (b.status === 'in_progress') b.status = 'canceling';
  }

  #process(b: Batch, ending: 'completed'): void {
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

  #end(b: Batch, ending: 'completed' | 'expired' | 'canceled'): void {
    b.status = 'ended';
    b.ending = ending;
    b.endedAt = this.#deps.clock();
    if (b.route === 'openai') this.#openAIFiles(b);
  }
}

function anthropicResult(item: Item): Record<string, unknown> {
  const o = item.outcome;
  if (o?.kind === 'succeeded') return { type: 'succeeded', message: o.body };
  if (o?.kind === 'errored') {
    const body =
      isObject(o.body) && o.body.type === 'error' ? o.body : anthropicError(o.status, `fake ${o.status}`);
    return { type: 'errored', error: body };
  }
  return { type: o?.kind ?? 'expired' };
}

function fileView(id: string, f: { data: Buffer; filename: string; purpose: string; createdAt: number }) {
  return {
    id,
    object: 'file',
    bytes: f.data.length,
    created_at: seconds(f.createdAt),
    filename: f.filename,
    purpose: f.purpose,
    status: 'processed',
  };
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** An OpenAI batch input file, line by line, as OpenAI validates it. */
function readJsonl(text: string): { items: Item[]; errors: string[] } {
  const items: Item[] = [];
  const errors: string[] = [];
  const seen = new Set<string>();
  for (const [n, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    const where = `line ${n + 1}`;
    const entry = parseJson(Buffer.from(line));
    if (!isObject(entry)) {
      errors.push(`${where}: not a JSON object`);
      continue;
    }
    if (typeof entry.custom_id !== 'string' || entry.custom_id === '')
      errors.push(`${where}: custom_id: required`);
    else if (seen.has(entry.custom_id)) errors.push(`${where}: custom_id: duplicate ${entry.custom_id}`);
    if (entry.method !== 'POST') errors.push(`${where}: method: must be POST`);
    if (entry.url !== '/v1/chat/completions') errors.push(`${where}: url: must match the batch's endpoint`);
    try {
      const view = readOpenAIRequest(entry.body);
      if (view.stream) errors.push(`${where}: body.stream: batches do not stream`);
      if (typeof entry.custom_id === 'string' && !seen.has(entry.custom_id)) {
        seen.add(entry.custom_id);
        items.push({ customId: entry.custom_id, view });
      }
    } catch (error) {
      if (!(error instanceof BadFakeRequest)) throw error;
      errors.push(`${where}: body.${error.message}`);
    }
  }
  if (items.length === 0 && errors.length === 0) errors.push('the file holds no requests');
  return { items, errors };
}
