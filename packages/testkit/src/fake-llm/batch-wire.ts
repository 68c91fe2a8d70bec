import { randomBytes } from 'node:crypto';
import { anthropicError } from './anthropic-wire.js';
import type { FakeRoute } from './fake-reply.js';
import { BadFakeRequest, type RequestView, readOpenAIRequest } from './request-view.js';

// The fake's batches as each vendor renders them: the shared state (a batch and its requests),
// Anthropic's Message Batch objects and result lines, OpenAI's Batch objects, files and JSONL.

export type ItemOutcome =
  | { kind: 'succeeded'; status: number; body: unknown }
  | { kind: 'errored'; status: number; body: unknown }
  | { kind: 'expired' }
  | { kind: 'canceled' };

export interface FakeBatchItem {
  customId: string;
  view: RequestView;
  outcome?: ItemOutcome;
}

export interface FakeBatch {
  id: string;
  route: FakeRoute;
  createdAt: number;
  /** When processing ends by itself (clock ms); Infinity: only when told. */
  endsAt: number;
  status: 'in_progress' | 'canceling' | 'ended' | 'failed';
  /** How it ended. */
  ending?: 'completed' | 'expired' | 'canceled';
  endedAt?: number;
  items: FakeBatchItem[];
  inputFileId?: string;
  outputFileId?: string;
  errorFileId?: string;
  /** OpenAI: why validation failed. */
  errors?: string[];
}

export const DAY_MS = 24 * 60 * 60_000;
export const CUSTOM_ID = /^[a-zA-Z0-9_-]{1,64}$/;

export function newId(prefix: string): string {
  return `${prefix}${randomBytes(12).toString('hex')}`;
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export const seconds = (ms: number) => Math.floor(ms / 1000);

/** A Message Batch object as Anthropic renders it; `resultsBase` is the fake's URL. */
export function anthropicBatchView(b: FakeBatch, resultsBase: string): Record<string, unknown> {
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
    results_url: ended ? `${resultsBase}/v1/messages/batches/${b.id}/results` : null,
  };
}

/** A Batch object as OpenAI renders it. */
export function openAIBatchView(b: FakeBatch): Record<string, unknown> {
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

/** The lines of an ended OpenAI batch's output file and error file. */
export function openAIResultLines(b: FakeBatch): { output: string[]; errors: string[] } {
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
  return { output, errors };
}

export function anthropicResult(item: FakeBatchItem): Record<string, unknown> {
  const o = item.outcome;
  if (o?.kind === 'succeeded') return { type: 'succeeded', message: o.body };
  if (o?.kind === 'errored') {
    const body =
      isObject(o.body) && o.body.type === 'error' ? o.body : anthropicError(o.status, `fake ${o.status}`);
    return { type: 'errored', error: body };
  }
  return { type: o?.kind ?? 'expired' };
}

export function fileView(
  id: string,
  f: { data: Buffer; filename: string; purpose: string; createdAt: number },
) {
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

export function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** An OpenAI batch input file, line by line, as OpenAI validates it. */
export function readJsonl(text: string): { items: FakeBatchItem[]; errors: string[] } {
  const items: FakeBatchItem[] = [];
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
