import type { AgentCard } from '@a2a-js/sdk';
import type { A2ARequestHandler } from '@a2a-js/sdk/server';
import { ForgeError } from '@forge/contracts';
import {
  type ApiKeyStore,
  boundedJsonBody,
  checkReadiness,
  type ReadinessProbe,
} from '@forge/service-runtime';
import type { Logger } from '@forge/telemetry';
import express, { type ErrorRequestHandler, type Express, type Router } from 'express';
import { a2aOperations } from './a2a-operations.js';
import { AGENT_CARD_PATH, JSONRPC_PATH, REST_PATH } from './agent-card.js';
import { requireApiKey } from './auth.js';
import { cardRoute } from './card-route.js';
import { sendHttpError } from './http-errors.js';
import { jsonRpcBinding } from './jsonrpc-binding.js';
import { legacyTransports } from './legacy-compat.js';
import { restBinding } from './rest-binding.js';

export interface HttpAppDeps {
  handler: A2ARequestHandler;
  card(): AgentCard;
  /** When the card was built (for `Last-Modified`). */
  cardSince(): Date;
  keys(): ApiKeyStore;
  /** express body-parser limit, e.g. `1mb`. */
  bodyLimit: string;
  readiness: ReadinessProbe;
  logger: Logger;
  /** A service's own routes (e.g. `/approvals`), behind the same API keys, JSON bodies. */
  extraRoutes?: readonly { path: string; router: Router }[];
}

/**
 * The service's HTTP surface:
 *
 * - `GET /livez` (200 while the process runs), `GET /readyz` (200 only when accepting, NATS is
 *   connected and `SELECT 1` answers; 503 JSON naming each check otherwise) — public;
 * - `GET /.well-known/agent-card.json` — public; the v1.0 card unless `A2A-Version: 0.3` asks
 *   for the v0.3 one (see card-route.ts);
 * - `POST /a2a/jsonrpc` (JSON-RPC) and `/a2a/rest/...` (HTTP+JSON): A2A v1.0 (see
 *   jsonrpc-binding.ts, rest-binding.ts), and v0.3 through the SDK's compat layer — API key
 *   required; every JSON body meets the size limit (`bodyLimit`) and a depth limit, and every
 *   error is answered in the binding's own format from the error table;
 * - anything else: 404 JSON.
 */
export function createHttpApp(deps: HttpAppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/livez', (_req, res) => {
    res.json({ status: 'live' });
  });
  app.get('/readyz', async (_req, res) => {
    const readiness = await checkReadiness(deps.readiness);
    res
      .status(readiness.ready ? 200 : 503)
      .json({ status: readiness.ready ? 'ready' : 'not-ready', ...readiness });
  });

  app.use(AGENT_CARD_PATH, cardRoute({ card: deps.card, since: deps.cardSince }));

  const operations = a2aOperations(deps.handler);
  const legacy = legacyTransports(deps.handler, deps.logger);
  const common = { operations, keys: deps.keys, logger: deps.logger, bodyLimit: deps.bodyLimit };
  app.use(JSONRPC_PATH, jsonRpcBinding({ ...common, legacy: legacy.jsonRpc }));
  app.use(REST_PATH, restBinding({ ...common, legacy: legacy.rest }));

  const auth = requireApiKey(deps.keys, deps.logger);
  const json = boundedJsonBody({
    limit: deps.bodyLimit,
    types: ['application/json'],
    absentIsJson: true,
  });
  for (const extra of deps.extraRoutes ?? []) {
    app.use(extra.path, auth, json, extra.router);
  }

  app.use((req, res) => {
    sendHttpError(
      res,
      new ForgeError('METHOD_NOT_FOUND', `no route for ${req.method} ${req.path.slice(0, 200)}`),
      deps.logger,
    );
  });
  const lastResort: ErrorRequestHandler = (err, req, res, _next) => {
    sendHttpError(res, err, deps.logger, { path: req.path.slice(0, 200) });
  };
  app.use(lastResort);
  return app;
}
