import { ForgeError } from '@forge/contracts';
import { boundedJsonBody } from '@forge/service-runtime';
import express, { type Request, type Response, type Router } from 'express';
import { restError } from './a2a-errors.js';
import type { A2AMethod } from './a2a-operations.js';
import { requestedVersion } from './a2a-version.js';
import { authenticate, WWW_AUTHENTICATE } from './auth.js';
import { answered, type BindingDeps, callContext } from './binding-support.js';
import { SseStream } from './sse.js';

/** The media type of HTTP+JSON answers (A2A v1.0 §11.1, §14.1). */
const A2A_JSON = 'application/a2a+json';

interface Route {
  readonly method: A2AMethod;
  /** The request object the operation takes, from the path, the query and the body. */
  readonly params: unknown;
}

/** A path segment as the caller meant it; BAD_INPUT for percent-encoding that is not. */
function segment(raw: string, field: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new ForgeError('BAD_INPUT', `${field}: not a valid percent-encoded path segment`, {
      details: { field },
    });
  }
}

/** Query parameters as a request object: one value each (§11.5), booleans as `true`/`false`. */
function queryObject(query: Request['query'], booleans: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query)) {
    if (key.toLowerCase() === 'a2a-version') continue;
    if (typeof value !== 'string') {
      throw new ForgeError('BAD_INPUT', `${key}: give it once, as a plain value`, {
        details: { field: key },
      });
    }
    if (booleans.includes(key)) {
      if (value !== 'true' && value !== 'false') {
        throw new ForgeError('BAD_INPUT', `${key}: must be true or false`, { details: { field: key } });
      }
      out[key] = value === 'true';
    } else {
      out[key] = value;
    }
  }
  return out;
}

function bodyObject(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new ForgeError('BAD_INPUT', 'the body must be a JSON object', { details: { field: '(body)' } });
  }
  return body as Record<string, unknown>;
}

/** The operation a request names (A2A v1.0 §11.3), or METHOD_NOT_FOUND. */
function route(req: Request): Route {
  const path = req.path;
  const verb = req.method;
  if (path === '/message:send' && verb === 'POST') return { method: 'SendMessage', params: req.body };
  if (path === '/message:stream' && verb === 'POST')
    return { method: 'SendStreamingMessage', params: req.body };
  if (path === '/tasks' && verb === 'GET') {
    return { method: 'ListTasks', params: queryObject(req.query, ['includeArtifacts']) };
  }
  if (path === '/extendedAgentCard' && verb === 'GET') return { method: 'GetExtendedAgentCard', params: {} };
  const task = /^\/tasks\/([^/:]+)(:cancel|:subscribe|\/pushNotificationConfigs(?:\/[^/]+)?)?$/.exec(path);
  if (task) {
    const id = segment(task[1]!, 'id');
    const action = task[2];
    if (action === undefined && verb === 'GET')
      return { method: 'GetTask', params: { ...queryObject(req.query), id } };
    if (action === ':cancel' && verb === 'POST')
      return { method: 'CancelTask', params: { ...bodyObject(req.body), id } };
    if (action === ':subscribe' && (verb === 'POST' || verb === 'GET')) {
      return { method: 'SubscribeToTask', params: { id } };
    }
    if (action?.startsWith('/pushNotificationConfigs')) {
      const one = action !== '/pushNotificationConfigs';
      if (verb === 'POST' && !one) return { method: 'CreateTaskPushNotificationConfig', params: {} };
      if (verb === 'GET')
        return {
          method: one ? 'GetTaskPushNotificationConfig' : 'ListTaskPushNotificationConfigs',
          params: {},
        };
      if (verb === 'DELETE' && one) return { method: 'DeleteTaskPushNotificationConfig', params: {} };
    }
  }
  throw new ForgeError('METHOD_NOT_FOUND', `no A2A v1.0 operation at ${verb} ${path.slice(0, 200)}`);
}

/**
 * The A2A HTTP+JSON binding, v1.0 (A2A v1.0 §11), over the operations; a request that asks for
 * v0.3 goes to the SDK's compat transport after the same authentication.
 *
 * - Routes of §11.3 below the mount point; anything else 404 (METHOD_NOT_FOUND).
 * - Bodies `application/json` or `application/a2a+json` (415 otherwise), within the size and depth
 *   limits; answers `application/a2a+json`.
 * - Errors: the status of the error table's A2A column and a `google.rpc.Status` body (§11.6):
 *   `code` (the HTTP status), `status` (the google.rpc name), `message`, `details` with
 *   `ErrorInfo` (plus `BadRequest`, `RetryInfo` where they apply); `Retry-After` on "try later".
 * - Auth failures: 401 with `WWW-Authenticate` and the same body shape.
 * - Streams: `text/event-stream` of StreamResponse JSON; a failure after the start is one
 *   `event: error` with a google.rpc.Status body.
 */
export function restBinding(deps: BindingDeps): Router {
  const router = express.Router();
  const readBody = boundedJsonBody({ limit: deps.bodyLimit, types: ['application/json', A2A_JSON] });

  const fail = (res: Response, error: unknown, context: Record<string, unknown>) => {
    if (res.headersSent) {
      if (!res.writableEnded) res.end();
      return;
    }
    const view = answered(deps.logger, error, context);
    const { status, body } = restError(view);
    if (view.retryAfterSeconds !== undefined) res.set('Retry-After', String(view.retryAfterSeconds));
    if (view.code === 'UNAUTHENTICATED') res.set('WWW-Authenticate', WWW_AUTHENTICATE);
    res.status(status).type(A2A_JSON).send(JSON.stringify(body));
  };

  router.use((req: Request, res: Response) => {
    const context = { binding: 'HTTP+JSON', path: req.path.slice(0, 200) };
    let legacy: boolean;
    try {
      authenticate(req, res, deps.keys());
      legacy = requestedVersion(req) === '0.3';
    } catch (error) {
      fail(res, error, context);
      return;
    }
    // Read here for v0.3 too, so its requests meet the same size and depth limits.
    readBody(req, res, (bodyError?: unknown) => {
      if (bodyError) {
        fail(res, bodyError, context);
        return;
      }
      if (legacy) {
        req.headers['a2a-version'] = '0.3';
        // What the compat transport does not serve is answered here, in this binding's format.
        deps.legacy(req, res, (error?: unknown) =>
          fail(
            res,
            error ??
              new ForgeError(
                'METHOD_NOT_FOUND',
                `no A2A v0.3 operation at ${req.method} ${req.path.slice(0, 200)}`,
              ),
            context,
          ),
        );
        return;
      }
      void serve(req, res).catch((error: unknown) => fail(res, error, context));
    });
  });

  async function serve(req: Request, res: Response): Promise<void> {
    const { method, params } = route(req);
    const context = { binding: 'HTTP+JSON', method };
    const operation = deps.operations[method];
    const ctx = await callContext(req);
    if (operation.kind === 'unary') {
      try {
        const result = await operation.run(params, ctx);
        res.status(200).type(A2A_JSON).send(JSON.stringify(result));
      } catch (error) {
        fail(res, error, context);
      }
      return;
    }
    let events: AsyncIterator<unknown>;
    let first: IteratorResult<unknown>;
    try {
      events = operation.run(params, ctx);
      first = await events.next();
    } catch (error) {
      fail(res, error, context);
      return;
    }
    const stream = new SseStream(res);
    try {
      for (let item = first; !item.done && stream.open; item = await events.next())
        await stream.send(item.value);
    } catch (error) {
      await stream.send(restError(answered(deps.logger, error, context)).body, 'error');
    } finally {
      stream.end();
      await events.return?.();
    }
  }

  return router;
}
