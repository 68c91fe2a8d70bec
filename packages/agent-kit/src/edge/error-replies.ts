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
