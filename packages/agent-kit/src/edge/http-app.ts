import { AgentCard } from '@a2a-js/sdk';
import { RequestMalformedError, toRestErrorBody } from '@a2a-js/sdk/errors';
import type { A2ARequestHandler } from '@a2a-js/sdk/server';
import { agentCardHandler, jsonRpcHandler, restHandler } from '@a2a-js/sdk/server/express';
import { ForgeError } from '@forge/contracts';
import { type ApiKeyStore, checkReadiness, type ReadinessProbe } from '@forge/service-runtime';
import type { Logger } from '@forge/telemetry';
import express, { type ErrorRequestHandler, type Express, type Request, type RequestHandler } from 'express';
import { AGENT_CARD_PATH, JSONRPC_PATH, REST_PATH } from './agent-card.js';
import { requireApiKey, userFromRequest } from './auth.js';
import { httpErrorBody, toHttpError } from './http-errors.js';

export interface HttpAppDeps {
  handler: A2ARequestHandler;
  card(): AgentCard;
  keys(): ApiKeyStore;
  /** express body-parser limit, e.g. `1mb`. */
  bodyLimit: string;
  readiness: ReadinessProbe;
  logger: Logger;
}

const JSON_TYPES = ['application/json', 'application/a2a+json'];

/** body-parser errors carry `type` and `status`. */
interface BodyError extends Error {
  type?: string;
  status?: number;
}

function bodyProblem(
  err: BodyError,
  limit: string,
): { status: number; message: string; tooLarge: boolean } | null {
  switch (err.type) {
    case 'entity.too.large':
      return { status: 413, message: `the request body is larger than ${limit}`, tooLarge: true };
    case 'entity.parse.failed':
      return { status: 400, message: `the request body is not valid JSON: ${err.message}`, tooLarge: false };
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return { status: 415, message: err.message, tooLarge: false };
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
    case 'stream.not.readable':
      return { status: 400, message: err.message, tooLarge: false };
    default:
      return null;
  }
}

/** JSON-RPC: malformed JSON → -32700 (HTTP 200, as the SDK answers it); too large → 413 + -32600. */
function jsonRpcBodyErrors(limit: string): ErrorRequestHandler {
  return (err: BodyError, _req, res, next) => {
    const problem = bodyProblem(err, limit);
    if (!problem) return next(err);
    const code = problem.status === 400 && err.type === 'entity.parse.failed' ? -32700 : -32600;
    res
      .status(code === -32700 ? 200 : problem.status)
      .json({ jsonrpc: '2.0', id: null, error: { code, message: problem.message } });
  };
}

/** HTTP+JSON: the SDK's google.rpc.Status body with the matching status. */
function restBodyErrors(limit: string): ErrorRequestHandler {
  return (err: BodyError, _req, res, next) => {
    const problem = bodyProblem(err, limit);
    if (!problem) return next(err);
    const body = toRestErrorBody(new RequestMalformedError(problem.message), problem.status);
    res.status(problem.status).json(body);
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * v0.3 JSON-RPC `message/send` whose `configuration` does not say `blocking`: the v0.3 reference
 * servers (a2a-js 0.3, a2a-python 0.3) wait for the task then, but the SDK's v0.3 → v1.0
 * translation turns an absent `blocking` into `returnImmediately: true`, so such a client would
 * get a `submitted` task instead of its result. Says `blocking: true` before the SDK translates.
 * (A request without `configuration` already blocks; `blocking: false` is kept.)
 */
const legacyBlockingDefault: RequestHandler = (req, _res, next) => {
  const version = req.header('a2a-version')?.trim();
  const body: unknown = req.body;
  if ((!version || version === '0.3') && isObject(body) && body.method === 'message/send') {
    const params = body.params;
    const configuration = isObject(params) ? params.configuration : undefined;
    if (isObject(configuration) && configuration.blocking === undefined) configuration.blocking = true;
  }
  next();
};

function wantsLegacyCard(req: Request): boolean {
  const version = req.header('a2a-version')?.trim();
  // Absent means v0.3 to the SDK; 0.x asks for the v0.3 card shape.
  return !version || /^0\.\d+$/.test(version);
}

/**
 * The service's HTTP surface:
 *
 * - `GET /livez` (200 while the process runs), `GET /readyz` (200 only when accepting, NATS is
 *   connected and `SELECT 1` answers; 503 JSON naming each check otherwise) — public;
 * - `GET /.well-known/agent-card.json` — public; v1.0 card (protobuf JSON) when `A2A-Version: 1.0`,
 *   the SDK's v0.3 translation otherwise;
 * - `POST /a2a/jsonrpc` (JSON-RPC) and `/a2a/rest/...` (HTTP+JSON), v1.0 and v0.3 (`legacyCompat`)
 *   — API key required; the body limit is ours (`bodyLimit`), and a body that is too large or
 *   not JSON gets a JSON error in the transport's own shape, never an HTML page;
 * - anything else: 404 JSON.
 */
export function createHttpApp(deps: HttpAppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  const legacy = { enabled: true };

  app.get('/livez', (_req, res) => {
    res.json({ status: 'live' });
  });
  app.get('/readyz', async (_req, res) => {
    const readiness = await checkReadiness(deps.readiness);
    res
      .status(readiness.ready ? 200 : 503)
      .json({ status: readiness.ready ? 'ready' : 'not-ready', ...readiness });
  });

  app.get(AGENT_CARD_PATH, (req, res, next) => {
    if (wantsLegacyCard(req)) return next();
    res.set('Cache-Control', 'public, max-age=300').append('Vary', 'A2A-Version');
    res.json(AgentCard.toJSON(deps.card()));
  });
  app.use(
    AGENT_CARD_PATH,
    agentCardHandler({ agentCardProvider: async () => deps.card(), legacyCompat: legacy }),
  );

  const auth = requireApiKey(deps.keys);
  app.use(
    JSONRPC_PATH,
    auth,
    express.json({ limit: deps.bodyLimit, type: JSON_TYPES }),
    jsonRpcBodyErrors(deps.bodyLimit),
    legacyBlockingDefault,
    jsonRpcHandler({ requestHandler: deps.handler, userBuilder: userFromRequest, legacyCompat: legacy }),
  );
  app.use(
    REST_PATH,
    auth,
    express.json({ limit: deps.bodyLimit, type: JSON_TYPES, strict: false }),
    restBodyErrors(deps.bodyLimit),
    restHandler({ requestHandler: deps.handler, userBuilder: userFromRequest, legacyCompat: legacy }),
  );

  app.use((req, res) => {
    res
      .status(404)
      .json(httpErrorBody(new ForgeError('NOT_FOUND', `no route for ${req.method} ${req.path}`)));
  });
  const lastResort: ErrorRequestHandler = (err, req, res, _next) => {
    const { status, body } = toHttpError(err);
    if (status >= 500)
      deps.logger.error(
        { err: err instanceof Error ? err.message : String(err), path: req.path },
        'request failed',
      );
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(status).json(body);
  };
  app.use(lastResort);
  return app;
}
