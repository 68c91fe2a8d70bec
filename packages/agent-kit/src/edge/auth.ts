import { ForgeError } from '@forge/contracts';
import type { ApiKeyStore } from '@forge/service-runtime';
import type { Logger } from '@forge/telemetry';
import type { Request, RequestHandler, Response } from 'express';
import { ForgeUser } from './caller.js';
import { sendHttpError } from './http-errors.js';

const PRINCIPAL = 'forgePrincipal';

/** The challenge every 401 carries (A2A v1.0 §3.3.2: say which scheme is required). */
export const WWW_AUTHENTICATE = 'Bearer realm="forge"';

/** The key a request presents: `Authorization: Bearer <key>`, else `X-API-Key: <key>`. */
export function presentedKey(req: Request): string | undefined {
  const authorization = req.header('authorization');
  if (authorization) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return match?.[1];
  }
  const apiKey = req.header('x-api-key');
  return apiKey ? apiKey.trim() : undefined;
}

/**
 * The principal behind the request's API key, remembered on the response for the SDK's user
 * builder; UNAUTHENTICATED otherwise, which each binding answers in its own format with 401 and
 * `WWW-Authenticate`. Keys never reach a log line or an error message.
 */
export function authenticate(req: Request, res: Response, keys: ApiKeyStore): string {
  const key = presentedKey(req);
  const principal = key === undefined ? null : keys.authenticate(key);
  if (principal === null) {
    throw new ForgeError(
      'UNAUTHENTICATED',
      key === undefined
        ? 'an API key is required: send Authorization: Bearer <key> or X-API-Key: <key>'
        : 'the API key is not valid',
    );
  }
  const onBehalfOf = req.header(ON_BEHALF_OF);
  if (onBehalfOf !== undefined) {
    // The gateway presents partners this way: its own key, and the partner it speaks for.
    if (!keys.mayActFor(principal, onBehalfOf)) {
      throw new ForgeError('FORBIDDEN', `this API key may not act on behalf of another principal`);
    }
    res.locals[PRINCIPAL] = onBehalfOf;
    return onBehalfOf;
  }
  res.locals[PRINCIPAL] = principal;
  return principal;
}

/** The header a delegating key (the gateway's) names the principal it acts for with. */
export const ON_BEHALF_OF = 'forge-on-behalf-of';

/**
 * Guards a service's own plain-HTTP routes (an extension's, e.g. `/approvals`) with the same API
 * keys as the A2A bindings: 401 with `WWW-Authenticate: Bearer` and the error table's body when
 * the key is missing or wrong. The A2A bindings call `authenticate` themselves, to answer in
 * their own formats.
 */
export function requireApiKey(keys: () => ApiKeyStore, logger: Logger): RequestHandler {
  return (req, res, next) => {
    try {
      authenticate(req, res, keys());
      next();
    } catch (error) {
      res.set('WWW-Authenticate', 'Bearer realm="forge"');
      sendHttpError(res, error, logger);
    }
  };
}

/** The principal `authenticate` found for this response's request. */
export function principalOf(res: Response): string {
  const principal = res.locals[PRINCIPAL];
  if (typeof principal !== 'string') {
    throw new ForgeError('UNAUTHENTICATED', 'this call needs an API key', { retryable: false });
  }
  return principal;
}

/**
 * The caller of a request that passed `authenticate`, with a signal that aborts when the
 * response closes (finished, or the client went away), so relays stop for absent clients. Also
 * the SDK's user builder, for the v0.3 compat layer.
 */
export async function userFromRequest(req: Request): Promise<ForgeUser> {
  const res = req.res as Response;
  const principal = res.locals[PRINCIPAL];
  if (typeof principal !== 'string') throw new ForgeError('UNAUTHENTICATED', 'this call needs an API key');
  const controller = new AbortController();
  // Most responses close because they were sent: those share one reason, made once (an Error per
  // request, with its stack, was a measurable share of the edge's CPU). A client that went away
  // gets a reason of its own.
  res.once('close', () =>
    controller.abort(
      res.writableFinished ? RESPONSE_SENT : new ForgeError('CANCELED', 'the client went away'),
    ),
  );
  return new ForgeUser(principal, controller.signal);
}

/** Why a request's signal aborts once its response was sent: nothing is left to relay to. */
const RESPONSE_SENT = new ForgeError('CANCELED', 'the response was sent', { retryable: false });
