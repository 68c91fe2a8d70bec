import { isForgeError } from '@forge/contracts';
import type { Logger } from '@forge/telemetry';
import type { Response } from 'express';
import { jsonRpcError, restError } from './a2a-errors.js';
import { WWW_AUTHENTICATE } from './auth.js';
import { answered, jsonRpcStatus } from './binding-support.js';

/** A JSON-RPC request id as the answer echoes it. */
export type JsonRpcId = string | number | null;

/** How a refused request says which scheme would have worked (`WWW-Authenticate`). */
export interface ErrorReplyOptions {
  /** The challenge of a 401; default the kit's `Bearer realm="forge"`. */
  challenge?: string;
  /** Log context (binding, method, partner). */
  context?: Record<string, unknown>;
}

/**
 * Answers an A2A JSON-RPC request with an error from the error table, as the kit's own binding
 * does: the JSON-RPC error object echoing `id`, the binding's HTTP status (401, 403, 413, 415,
 * "try later" and faults keep theirs), `Retry-After` and `WWW-Authenticate` where they apply.
 * For services that front A2A without the kit's request handler (the federation gateway).
 */
export function replyJsonRpcError(
  res: Response,
  id: JsonRpcId,
  error: unknown,
  logger: Logger,
  options: ErrorReplyOptions = {},
): void {
  if (res.headersSent) return;
  const view = answered(logger, error, { binding: 'JSONRPC', ...options.context });
  if (view.retryAfterSeconds !== undefined) res.set('Retry-After', String(view.retryAfterSeconds));
  if (view.code === 'UNAUTHENTICATED') res.set('WWW-Authenticate', options.challenge ?? WWW_AUTHENTICATE);
  res.status(jsonRpcStatus(view)).json({ jsonrpc: '2.0', id, error: jsonRpcError(view) });
}

/** The same for the HTTP+JSON binding: the table's status and a `google.rpc.Status` body. */
export function replyRestError(
  res: Response,
  error: unknown,
  logger: Logger,
  options: ErrorReplyOptions = {},
): void {
  if (res.headersSent) return;
  const view = answered(logger, error, { binding: 'HTTP+JSON', ...options.context });
  const { status, body } = restError(view);
  if (view.retryAfterSeconds !== undefined) res.set('Retry-After', String(view.retryAfterSeconds));
  if (view.code === 'UNAUTHENTICATED') res.set('WWW-Authenticate', options.challenge ?? WWW_AUTHENTICATE);
  res.status(status).type('application/a2a+json').send(JSON.stringify(body));
}

/** JSON-RPC 2.0's parse error and invalid request codes. */
const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;

/**
 * Answers a JSON-RPC request whose body could not be read (what `boundedJsonBody` refused), as
 * the kit's binding does: text that is not JSON or nests too deep is -32700 (HTTP 200), another
 * unreadable body -32600, a body too large or of another media type keeps its HTTP status; the
 * id is null (the request could not be read).
 */
export function replyJsonRpcBodyError(res: Response, error: unknown, logger: Logger): void {
  if (res.headersSent) return;
  const view = answered(logger, error, { binding: 'JSONRPC' });
  const parse = isForgeError(error, 'BAD_INPUT') && error.details?.refusal !== undefined;
  const status = view.code === 'BAD_INPUT' ? 200 : view.spec.http.status;
  const code = parse ? PARSE_ERROR : view.code === 'BAD_INPUT' ? INVALID_REQUEST : jsonRpcError(view).code;
  res.status(status).json({ jsonrpc: '2.0', id: null, error: { ...jsonRpcError(view), code } });
}

/**
 * The SSE frame that ends a stream with an error, in the binding's format (as the kit's bindings
 * send it): a JSON-RPC response with `error` echoing `id`, or `event: error` with a
 * `google.rpc.Status` body on HTTP+JSON.
 */
export function streamErrorFrame(
  binding: 'JSONRPC' | 'HTTP+JSON',
  id: JsonRpcId,
  error: unknown,
  logger: Logger,
  context: Record<string, unknown> = {},
): string {
  const view = answered(logger, error, { binding, ...context });
  return binding === 'JSONRPC'
    ? `data: ${JSON.stringify({ jsonrpc: '2.0', id, error: jsonRpcError(view) })}\n\n`
    : `event: error\ndata: ${JSON.stringify(restError(view).body)}\n\n`;
}
