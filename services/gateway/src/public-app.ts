import type { Agent as HttpAgent, Server } from 'node:http';
import { ForgeError } from '@forge/contracts';
import type { FederationConfig, KeyRing } from '@forge/federation';
import type { Logger } from '@forge/telemetry';
import express, { type Express } from 'express';
import { type InboundDeps, InboundGateway } from './inbound.js';
import { JWKS_PATH, OAUTH_METADATA_PATH, type PublicCard, TOKEN_PATH } from './public-card.js';
import { tokenEndpoint } from './token-endpoint.js';

function sendJsonError(res: express.Response, status: number, code: string, message: string): void {
  if (res.headersSent) return;
  res.status(status).json({ error: { code, message } });
}

/** How long a partner has to send a request's headers, and the whole request (not its answer). */
export const PUBLIC_HEADERS_TIMEOUT_MS = 15_000;
export const PUBLIC_REQUEST_TIMEOUT_MS = 30_000;

/**
 * Bounds the work a slow or hostile client can hold open on the public port: the headers within
 * 15 s, the whole request (its body) within 30 s; an SSE answer is not bounded by either (they
 * end when the request is received), and idle kept-alive sockets close after 5 s.
 */
export function boundPublicServer(server: Server): void {
  server.headersTimeout = PUBLIC_HEADERS_TIMEOUT_MS;
  server.requestTimeout = PUBLIC_REQUEST_TIMEOUT_MS;
  server.keepAliveTimeout = 5_000;
}

/**
 * The gateway's public face (the one port partners reach): the signed card, the JWKS, OAuth2
 * metadata and token endpoint, and the A2A bindings; `/livez`. Everything else is 404 JSON, and
 * anything thrown is answered with JSON, never a stack.
 */
export function createPublicApp(
  deps: InboundDeps & {
    card: PublicCard;
    ring: KeyRing;
    config: FederationConfig;
    logger: Logger;
    httpAgent: HttpAgent;
  },
): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const { config } = deps;
  const base = config.publicUrl.replace(/\/$/, '');

  app.get('/livez', (_req, res) => {
    res.json({ status: 'live' });
  });
  app.get('/.well-known/agent-card.json', async (_req, res, next) => {
    try {
      res.set('Cache-Control', 'public, max-age=300').json(await deps.card.json());
    } catch (error) {
      next(error);
    }
  });
  app.get(JWKS_PATH, async (_req, res, next) => {
    try {
      res.set('Cache-Control', 'public, max-age=60').json(await deps.ring.jwks());
    } catch (error) {
      next(error);
    }
  });
  app.get(OAUTH_METADATA_PATH, (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').json({
      issuer: base,
      token_endpoint: `${base}${TOKEN_PATH}`,
      jwks_uri: `${base}${JWKS_PATH}`,
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      scopes_supported: config.shares.map((s) => `skill:${s}`),
    });
  });
  app.use(TOKEN_PATH, tokenEndpoint(config, deps.ring, deps.logger));
  const inbound = new InboundGateway(deps, deps.httpAgent);
  app.use('/a2a/jsonrpc', inbound.jsonRpc());
  app.use('/a2a/rest', inbound.rest());
  app.use((req, res) => {
    sendJsonError(res, 404, 'METHOD_NOT_FOUND', `no route for ${req.method} ${req.path.slice(0, 200)}`);
  });
  app.use((error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    const forge = ForgeError.from(error);
    if (forge.code === 'INTERNAL' || forge.code === 'BAD_CONFIG')
      deps.logger.error({ err: String(error) }, 'gateway request failed');
    const status = (error as { status?: unknown }).status;
    sendJsonError(
      res,
      typeof status === 'number' && status >= 400 && status < 500 ? status : 500,
      forge.code,
      'the request failed',
    );
  });
  return app;
}
