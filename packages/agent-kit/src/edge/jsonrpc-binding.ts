import { type CallerError, ForgeError, isForgeError } from '@forge/contracts';
import { boundedJsonBody } from '@forge/service-runtime';
import express, { type Request, type Response, type Router } from 'express';
import { jsonRpcError } from './a2a-errors.js';
import { isA2AMethod } from './a2a-operations.js';
import { requestedVersion } from './a2a-version.js';
import { authenticate, WWW_AUTHENTICATE } from './auth.js';
import { answered, type BindingDeps, callContext, jsonRpcStatus } from './binding-support.js';
import { SseStream } from './sse.js';

type JsonRpcId = string | number | null;

/** JSON-RPC 2.0's own codes for a request it cannot take (they carry no A2A meaning). */
const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;

interface Envelope {
  id: JsonRpcId;
  method: string;
  params: unknown;
  /** No `id` member: a notification, which is never answered (JSON-RPC 2.0 §4.1). */
  notification: boolean;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function validId(id: unknown): id is JsonRpcId {
  return id === null || typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));
}

/** The request object, or the reason it is not one (with the id to echo, when it has a usable one). */
function envelopeOf(body: unknown): Envelope | { invalid: string; id: JsonRpcId } {
  if (Array.isArray(body))
    return { invalid: 'batch requests are not supported: send one request per call', id: null };
  if (!isObject(body)) return { invalid: 'the body must be a JSON-RPC 2.0 request object', id: null };
  const id = validId(body.id) ? body.id : null;
  if (body.jsonrpc !== '2.0') return { invalid: 'jsonrpc: must be "2.0"', id };
  if ('id' in body && !validId(body.id))
    return { invalid: 'id: must be a string, a number or null', id: null };
  if (typeof body.method !== 'string' || body.method.length === 0)
    return { invalid: 'method: must be a method name', id };
  return { id, method: body.method, params: body.params, notification: !('id' in body) };
}

/**
 * The A2A JSON-RPC binding, v1.0 (A2A v1.0 §9), over the operations; a request that asks for
 * v0.3 goes to the SDK's compat transport after the same authentication.
 *
 * - One JSON-RPC 2.0 request object per POST (`application/json`; the body limit and a depth
 *   limit apply). Not JSON → -32700; not a request object (a batch, no method, a bad id) →
 *   -32600; a notification (no `id`) is never run and gets 204 with no body.
 * - The answer echoes the request's `id`. Errors come from the error table: the A2A code, the
 *   table's message (or the caller's own mistake, naming the field) and `data` with
 *   `google.rpc.ErrorInfo` (plus `BadRequest`, `RetryInfo` where they apply).
 * - Auth failures: 401 with `WWW-Authenticate` and a JSON-RPC error object (code -31401).
 * - Streams: `text/event-stream`, each event a JSON-RPC response with the request's `id`.
 */
export function jsonRpcBinding(deps: BindingDeps): Router {
  const router = express.Router();
  const readBody = boundedJsonBody({
    limit: deps.bodyLimit,
    types: ['application/json'],
    absentIsJson: true,
  });

  const reply = (res: Response, status: number, id: JsonRpcId, body: Record<string, unknown>) => {
    if (res.headersSent) return;
    res.status(status).json({ jsonrpc: '2.0', id, ...body });
  };

  const replyError = (res: Response, id: JsonRpcId, view: CallerError, status = jsonRpcStatus(view)) => {
    if (view.retryAfterSeconds !== undefined) res.set('Retry-After', String(view.retryAfterSeconds));
    if (view.code === 'UNAUTHENTICATED') res.set('WWW-Authenticate', WWW_AUTHENTICATE);
    reply(res, status, id, { error: jsonRpcError(view) });
  };

  const fail = (res: Response, id: JsonRpcId, error: unknown, context: Record<string, unknown>) =>
    replyError(res, id, answered(deps.logger, error, context));

  /** A request the binding cannot read at all: its own JSON-RPC code, the table's view of why. */
  const refuseFraming = (res: Response, error: unknown, context: Record<string, unknown>) => {
    const view = answered(deps.logger, error, context);
    const forge = isForgeError(error) ? error : undefined;
    const parse = forge?.code === 'BAD_INPUT' && forge.details?.refusal !== undefined;
    const status = view.code === 'BAD_INPUT' ? 200 : view.spec.http.status;
    const code = parse ? PARSE_ERROR : view.code === 'BAD_INPUT' ? INVALID_REQUEST : jsonRpcError(view).code;
    reply(res, status, null, { error: { ...jsonRpcError(view), code } });
  };

  router.post('/', (req: Request, res: Response) => {
    readBody(req, res, (bodyError?: unknown) => {
      if (bodyError) {
        refuseFraming(res, bodyError, { binding: 'JSONRPC' });
        return;
      }
      void handle(req, res).catch((error: unknown) => fail(res, null, error, { binding: 'JSONRPC' }));
    });
  });
  router.all('/', (req, res) => {
    res.set('Allow', 'POST');
    refuseFraming(res, new ForgeError('METHOD_NOT_FOUND', `JSON-RPC takes POST, not ${req.method}`), {
      binding: 'JSONRPC',
    });
  });

  async function handle(req: Request, res: Response): Promise<void> {
    const envelope = envelopeOf(req.body);
    if ('invalid' in envelope) {
      const view = answered(deps.logger, new ForgeError('BAD_INPUT', envelope.invalid), {
        binding: 'JSONRPC',
      });
      reply(res, 200, envelope.id, { error: { ...jsonRpcError(view), code: INVALID_REQUEST } });
      return;
    }
    const { id, method } = envelope;
    const context = { binding: 'JSONRPC', method, rpcId: id };
    if (envelope.notification) {
      deps.logger.info(
        context,
        'JSON-RPC notification ignored: A2A methods answer, so a request needs an id',
      );
      res.status(204).end();
      return;
    }
    try {
      authenticate(req, res, deps.keys());
      if (requestedVersion(req) === '0.3') {
        req.headers['a2a-version'] = '0.3';
        deps.legacy(req, res, (error?: unknown) =>
          fail(res, id, error ?? new ForgeError('METHOD_NOT_FOUND', 'no A2A v0.3 method here'), context),
        );
        return;
      }
    } catch (error) {
      fail(res, id, error, context);
      return;
    }
    if (!isA2AMethod(method)) {
      fail(
        res,
        id,
        new ForgeError('METHOD_NOT_FOUND', `method: no A2A v1.0 method ${method.slice(0, 100)}`),
        context,
      );
      return;
    }
    if (envelope.params !== undefined && !isObject(envelope.params)) {
      fail(
        res,
        id,
        new ForgeError('BAD_INPUT', 'params: must be an object', { details: { field: 'params' } }),
        context,
      );
      return;
    }
    const operation = deps.operations[method];
    const ctx = await callContext(req);
    if (operation.kind === 'unary') {
      try {
        reply(res, 200, id, { result: await operation.run(envelope.params, ctx) });
      } catch (error) {
        fail(res, id, error, context);
      }
      return;
    }
    let events: AsyncIterator<unknown>;
    let first: IteratorResult<unknown>;
    try {
      events = operation.run(envelope.params, ctx);
      first = await events.next();
    } catch (error) {
      fail(res, id, error, context);
      return;
    }
    const stream = new SseStream(res);
    try {
      for (let item = first; !item.done && stream.open; item = await events.next()) {
        await stream.send({ jsonrpc: '2.0', id, result: item.value });
      }
    } catch (error) {
      await stream.send({ jsonrpc: '2.0', id, error: jsonRpcError(answered(deps.logger, error, context)) });
    } finally {
      stream.end();
      await events.return?.();
    }
  }

  return router;
}
