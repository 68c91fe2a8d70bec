import { ForgeError } from '@forge/contracts';
import type { ApiKeyStore } from '@forge/service-runtime';
import type { Request, RequestHandler, Response } from 'express';
import { ForgeUser } from './caller.js';
import { httpErrorBody } from './http-errors.js';

const PRINCIPAL = 'forgePrincipal';

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
 * Refuses requests without a valid API key: 401 with `WWW-Authenticate: Bearer` and the JSON
 * body `{"error":{"code":"UNAUTHENTICATED","message":...}}` on every protected path, JSON-RPC
 * included (the request is refused before its body is read, so there is no JSON-RPC id to echo).
 * Keys never reach a log line or an error message.
 */
export function requireApiKey(keys: () => ApiKeyStore): RequestHandler {
  return (req, res, next) => {
    const key = presentedKey(req);
    const principal = key === undefined ? null : keys().authenticate(key);
    if (principal === null) {
      const message =
        key === undefined
          ? 'an API key is required: send Authorization: Bearer <key> or X-API-Key: <key>'
          : 'the API key is not valid';
      res
        .status(401)
        .set('WWW-Authenticate', 'Bearer realm="forge"')
        .json(httpErrorBody(new ForgeError('UNAUTHENTICATED', message)));
      return;
    }
    res.locals[PRINCIPAL] = principal;
    next();
  };
}

/**
 * The SDK's user builder: the principal the middleware found, and a signal that aborts when the
 * response closes (finished, or the client went away), so relays stop for absent clients.
 */
export async function userFromRequest(req: Request): Promise<ForgeUser> {
  const res = req.res as Response;
  const principal = res.locals[PRINCIPAL];
  if (typeof principal !== 'string') {
    throw new ForgeError('UNAUTHENTICATED', 'this call needs an API key', { retryable: false });
  }
  const controller = new AbortController();
  res.once('close', () => controller.abort(new ForgeError('CANCELED', 'the client went away')));
  return new ForgeUser(principal, controller.signal);
}
