import { ServerCallContext } from '@a2a-js/sdk/server';
import { type CallerError, callerError, errorDetail, ForgeError } from '@forge/contracts';
import type { ApiKeyStore } from '@forge/service-runtime';
import type { Logger } from '@forge/telemetry';
import type { Request, RequestHandler } from 'express';
import type { A2AMethod, Operation } from './a2a-operations.js';
import { userFromRequest } from './auth.js';

/** What a binding needs: the operations, the keys, a logger, the body limit, the v0.3 fallback. */
export interface BindingDeps {
  operations: Record<A2AMethod, Operation>;
  keys(): ApiKeyStore;
  logger: Logger;
  /** express's size syntax, e.g. `1mb`. */
  bodyLimit: string;
  /** The SDK's v0.3 transport of this binding, for requests that ask for v0.3. */
  legacy: RequestHandler;
}

/**
 * The caller's view of an error, logged under its id: a server fault at `error` with the whole
 * cause chain, a refused request at `info` (a security-relevant event, A2A v1.0 §13.4).
 */
export function answered(logger: Logger, error: unknown, context: Record<string, unknown>): CallerError {
  const view = callerError(fromHttpError(error));
  const line = { ...context, errorId: view.errorId, code: view.code, err: errorDetail(error) };
  if (view.spec.http.status >= 500) logger.error(line, 'A2A call failed');
  else logger.info(line, 'A2A call refused');
  return view;
}

/** The SDK's call context for an authenticated v1.0 request. */
export async function callContext(req: Request): Promise<ServerCallContext> {
  return new ServerCallContext({ user: await userFromRequest(req), requestedVersion: '1.0' });
}

/** Statuses about the HTTP exchange itself, kept on JSON-RPC: no key, not allowed, body too large, wrong media type. */
const HTTP_LEVEL = new Set([401, 403, 413, 415]);

/**
 * The HTTP status of a JSON-RPC answer that carries an error: 200 (the error is in the body, as
 * JSON-RPC over HTTP has it) unless the status says something HTTP clients and proxies act on:
 * the exchange itself failed (401, 403, 413, 415), "try later" (429, 502, 503, 504, with
 * `Retry-After`) or a fault of the server (500).
 */
export function jsonRpcStatus(view: CallerError): number {
  const status = view.spec.http.status;
  return view.retryable || status >= 500 || HTTP_LEVEL.has(status) ? status : 200;
}

/**
 * An error express or its router raised about the request itself (a path parameter that is not
 * valid percent-encoding, for one: `status` 400) is the caller's mistake, not a fault of ours.
 */
function fromHttpError(error: unknown): unknown {
  if (error instanceof ForgeError || !(error instanceof Error)) return error;
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new ForgeError('BAD_INPUT', 'the request could not be read (its path or headers are malformed)', {
      cause: error,
    });
  }
  return error;
}
