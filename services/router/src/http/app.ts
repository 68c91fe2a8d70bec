import { ForgeError } from '@forge/contracts';
import { boundedJsonBody } from '@forge/service-runtime';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { type ChatCompletionsDeps, chatCompletionsHandler } from './chat-completions.js';
import { sendOpenAIError } from './openai-errors.js';

export interface RouterAppDeps extends ChatCompletionsDeps {
  bodyLimit: string;
  /** `/readyz`: NATS and Postgres connected and not draining. */
  ready(): Promise<boolean>;
}

/**
 * The router's HTTP surface: `/livez` (the process is up), `/readyz` (ready to route and serve),
 * and the OpenAI-compatible `POST /v1/chat/completions`. Bodies that are not JSON, nest deeper
 * than 64 levels or exceed the limit are answered 400/413 in OpenAI's error format; every error
 * answer comes from the error table (openai-errors.ts).
 */
export function createRouterApp(deps: RouterAppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // Every body is a fresh per-request answer that no client revalidates: hashing each one for
  // an ETag is CPU spent on every call for nothing.
  app.set('etag', false);
  app.get('/livez', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', (_req, res, next) => {
    deps
      .ready()
      .then((ready) => res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready' }), next);
  });
  app.post(
    '/v1/chat/completions',
    boundedJsonBody({ limit: deps.bodyLimit, types: ['application/json'] }),
    chatCompletionsHandler(deps),
  );
  app.use((req, res) => {
    sendOpenAIError(res, new ForgeError('METHOD_NOT_FOUND', `no route ${req.method} ${req.path}`));
  });
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) {
      res.end();
      return;
    }
    sendOpenAIError(res, error, deps.logger, { path: req.path });
  });
  return app;
}
