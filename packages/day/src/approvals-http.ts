import {
  ApprovalListQuery,
  ApproveRequest,
  describeIssues,
  ForgeError,
  RejectRequest,
} from '@forge/contracts';
import { type NextFunction, type Request, type Response, Router } from 'express';
import type { z } from 'zod';
import type { ApprovalQueue } from './approval-queue.js';

function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const issues = describeIssues(parsed.error);
  throw new ForgeError('BAD_INPUT', `invalid ${what}: ${issues.join('; ')}`, {
    retryable: false,
    details: { issues },
  });
}

/**
 * The approval queue over HTTP (mounted behind the service's API keys; the caller's principal is
 * who decides):
 *
 * - `GET /` `?status=&kind=&limit=` → `{ items: ApprovalItem[] }`, newest first
 * - `GET /:id` → `ApprovalItem` (404 when unknown)
 * - `POST /:id/approve` `{ text?, publishAt?, reason? }` → the decided item (edit then approve with `text`)
 * - `POST /:id/reject` `{ reason }` → the decided item
 *
 * A decision on an item already decided is 400 ILLEGAL_TRANSITION naming who decided it.
 */
export function approvalsRouter(queue: ApprovalQueue, principalOf: (res: Response) => string): Router {
  const router = Router();
  const wrap =
    (fn: (req: Request, res: Response) => Promise<unknown>) =>
    (req: Request, res: Response, next: NextFunction) => {
      fn(req, res).then((body) => res.json(body), next);
    };
  router.get(
    '/',
    wrap(async (req) => ({ items: await queue.list(parse(ApprovalListQuery, req.query, 'query')) })),
  );
  router.get(
    '/:id',
    wrap((req) => queue.get(String(req.params.id))),
  );
  router.post(
    '/:id/approve',
    wrap((req, res) =>
      queue.approve(
        String(req.params.id),
        principalOf(res),
        parse(ApproveRequest, req.body, 'approve request'),
      ),
    ),
  );
  router.post(
    '/:id/reject',
    wrap((req, res) =>
      queue.reject(String(req.params.id), principalOf(res), parse(RejectRequest, req.body, 'reject request')),
    ),
  );
  return router;
}
