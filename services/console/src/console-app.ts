import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bus } from '@forge/bus';
import {
  type ApprovalListQuery,
  errorSpec,
  ForgeError,
  isForgeError,
  SCHEDULER_CONTROL_VERSION,
  ScheduleName,
  SchedulerControlReply,
  SchedulerControlRequest,
  SkillRef,
} from '@forge/contracts';
import type { ApprovalQueue } from '@forge/day';
import {
  buildCostReport,
  explainRoute,
  monthStart,
  readBudgetView,
  readPartnerOverview,
} from '@forge/ledger-views';
import { effectiveRoutingConfig, type RoutingConfig, zeroCostRoutingConfig } from '@forge/policy';
import type { PgCostLedger, PgOperatorViews, PgSkillRegistry } from '@forge/store';
import type { Logger } from '@forge/telemetry';
import express, { type NextFunction, type Request, type Response } from 'express';
import type pg from 'pg';
import { z } from 'zod';
import type { ApprovalFeed } from './approval-feed.js';
import type { RequestSession, SessionAuth } from './auth/session-auth.js';
import { html } from './html.js';
import { approvalCard, approvalList, approvalsBody, STATUS_FILTERS } from './pages/approvals.js';
import { chartData, costsBody } from './pages/costs.js';
import { type PageContext, page } from './pages/layout.js';
import { partnersBody } from './pages/partners.js';
import { type RouteRow, routingBody } from './pages/routing.js';
import { scheduleBody } from './pages/schedule.js';
import { tasksBody } from './pages/tasks.js';

export interface ConsoleAppDeps {
  brain: string;
  auth: SessionAuth;
  queue: ApprovalQueue;
  feed: ApprovalFeed;
  views: PgOperatorViews;
  ledger: PgCostLedger;
  skills: PgSkillRegistry;
  pool: pg.Pool;
  schema: string;
  bus: Bus;
  routing: () => RoutingConfig;
  providers: readonly string[];
  jaegerUrl: string | undefined;
  isReady: () => Promise<boolean>;
  /** Hops of X-Forwarded-For to trust (0: the socket's address is the client). */
  trustedProxies?: number;
  logger: Logger;
  now?: () => Date;
}

const PUBLIC_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'public');
const UPLOT_DIR = dirname(createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js'));

const StatusFilter = z.enum(STATUS_FILTERS).default('pending');
const ApproveForm = z.object({
  text: z.string().max(20_000).optional(),
  reason: z.string().max(2000).optional(),
});
const RejectForm = z.object({ reason: z.string().max(2000).default('') });
const Days = z.coerce
  .number()
  .int()
  .refine((d) => [7, 30, 90].includes(d), 'must be 7, 30 or 90')
  .default(30);

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

/** The message a person reads for a failed action: a ForgeError's own words when they are safe to show. */
function messageOf(error: unknown): { status: number; text: string } {
  if (isForgeError(error)) {
    const spec = errorSpec(error.code);
    return { status: spec.http.status, text: spec.showsMessage ? error.message : spec.message };
  }
  return { status: 500, text: 'something went wrong; see the console log' };
}

/**
 * The console's HTTP app: health (open), the login routes and static files for the login page
 * (open), and every page and action behind a session, each POST behind the session's CSRF token.
 */
export function createConsoleApp(deps: ConsoleAppDeps): express.Express {
  const { auth, queue, feed, views, logger } = deps;
  const now = () => deps.now?.() ?? new Date();
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustedProxies ?? 0);
  app.use((_req, res, next) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    next();
  });
  app.get('/livez', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/readyz', (_req, res, next) => {
    deps
      .isReady()
      .then((ok) => void res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'not ready' }), next);
  });
  const staticOptions = { maxAge: '1h', index: false, fallthrough: false } as const;
  app.get('/static/console.css', (_req, res) =>
    res.sendFile(join(PUBLIC_DIR, 'console.css'), { maxAge: '1h' }),
  );
  app.use(express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 20 }));
  app.use(auth.routes());

  // Everything below needs a session.
  app.use(auth.requireSession());
  app.use('/static/uplot', express.static(UPLOT_DIR, staticOptions));
  app.use('/static', express.static(PUBLIC_DIR, staticOptions));
  app.use((req, res, next) => {
    if (req.method === 'POST') return auth.requireCsrf()(req, res, next);
    res.setHeader('cache-control', 'no-store');
    next();
  });

  const ctx = (res: Response): PageContext => {
    const session = res.locals.session as RequestSession;
    return { operator: session.operator, csrfToken: session.csrfToken, brain: deps.brain };
  };
  const actor = (res: Response) => `console:${(res.locals.session as RequestSession).operator}`;
  const wrap =
    (fn: (req: Request, res: Response) => Promise<void>) =>
    (req: Request, res: Response, next: NextFunction) => {
      fn(req, res).catch(next);
    };
  const send = (res: Response, status: number, body: string) =>
    void res.status(status).type('html').send(body);

  app.get('/', (_req, res) => res.redirect(303, '/approvals'));

  // Approvals.
  const listQuery = (status: string): ApprovalListQuery =>
    status === 'all' ? { limit: 100 } : { status: status as ApprovalListQuery['status'], limit: 100 };
  app.get(
    '/approvals',
    wrap(async (req, res) => {
      const status = StatusFilter.catch('pending').parse(req.query.status);
      const items = await queue.list(listQuery(status));
      // `?done=<item id>` after a decision: the flash is built here from the item's own status,
      // never from text in the URL (a link could otherwise put any words in the console's mouth).
      const doneId = z.uuid().safeParse(req.query.done);
      const doneItem = doneId.success ? await queue.get(doneId.data).catch(() => null) : null;
      const done = doneItem ? `Item ${doneItem.id.slice(0, 8)} ${doneItem.status}.` : null;
      send(
        res,
        200,
        page(ctx(res), {
          title: 'Approvals',
          path: '/approvals',
          body: approvalsBody(items, ctx(res).csrfToken, status, feed.state.version),
          scripts: ['/static/approvals.js'],
          flash: done ? { kind: 'ok', text: done } : null,
        }),
      );
    }),
  );
  app.get(
    '/approvals/list',
    wrap(async (req, res) => {
      const status = StatusFilter.catch('pending').parse(req.query.status);
      const items = await queue.list(listQuery(status));
      res.type('html').send(approvalList(items, ctx(res).csrfToken, status, feed.state.version).value);
    }),
  );
  app.get(
    '/approvals/:id',
    wrap(async (req, res) => {
      const id = z.uuid().safeParse(req.params.id);
      if (!id.success)
        return send(
          res,
          404,
          page(ctx(res), { title: 'Not found', path: '/approvals', body: html`<p>No such item.</p>` }),
        );
      const item = await queue.get(id.data);
      send(
        res,
        200,
        page(ctx(res), {
          title: 'Approval',
          path: '/approvals',
          body: approvalCard(item, ctx(res).csrfToken),
        }),
      );
    }),
  );
  const decided = async (res: Response, id: string, action: () => Promise<{ status: string }>) => {
    try {
      await action();
      await feed.poll().catch(() => undefined);
      res.redirect(303, `/approvals?done=${encodeURIComponent(id)}`);
    } catch (error) {
      const { status, text } = messageOf(error);
      if (status >= 500) logger.error({ err: String(error), approvalId: id }, 'approval action failed');
      const item = await queue.get(id).catch(() => null);
      send(
        res,
        status,
        page(ctx(res), {
          title: 'Approval',
          path: '/approvals',
          flash: { kind: 'error', text },
          body: item
            ? approvalCard(item, ctx(res).csrfToken)
            : html`<p><a href="/approvals">Back to the queue</a></p>`,
        }),
      );
    }
  };
  app.post(
    '/approvals/:id/approve',
    wrap(async (req, res) => {
      const id = z.uuid().parse(req.params.id);
      const form = ApproveForm.parse(req.body ?? {});
      const text = form.text?.trim();
      await decided(res, id, () =>
        queue.approve(id, actor(res), {
          ...(text ? { text } : {}),
          ...(form.reason?.trim() ? { reason: form.reason.trim() } : {}),
        }),
      );
    }),
  );
  app.post(
    '/approvals/:id/reject',
    wrap(async (req, res) => {
      const id = z.uuid().parse(req.params.id);
      const form = RejectForm.parse(req.body ?? {});
      await decided(res, id, () => queue.reject(id, actor(res), { reason: form.reason }));
    }),
  );
  app.get('/events', (_req, res) => {
    const session = res.locals.session as RequestSession;
    feed.subscribe(res, { key: session.token, alive: () => deps.auth.isLive(session.token) });
  });

  // Tasks.
  app.get(
    '/tasks',
    wrap(async (req, res) => {
      const open = req.query.open === '1';
      const skill = SkillRef.safeParse(req.query.skill);
      const tasks = await views.recentTasks({
        limit: 100,
        open,
        ...(skill.success ? { skill: skill.data } : {}),
      });
      send(
        res,
        200,
        page(ctx(res), {
          title: 'Tasks',
          path: '/tasks',
          body: tasksBody(tasks, { open, jaegerUrl: deps.jaegerUrl }),
        }),
      );
    }),
  );

  // Costs.
  app.get(
    '/costs',
    wrap(async (req, res) => {
      const days = Days.catch(30).parse(req.query.days);
      const at = now();
      const since = new Date(at.getTime() - (days - 1) * 86_400_000);
      const windowStart = new Date(Date.UTC(since.getUTCFullYear(), since.getUTCMonth(), since.getUTCDate()));
      const month = monthStart(at);
      const rows = await deps.ledger.usageSince(new Date(Math.min(windowStart.getTime(), month.getTime())));
      const config = deps.routing();
      const report = buildCostReport({ rows, config, since: windowStart, now: at });
      const monthReport = buildCostReport({ rows, config, since: month, now: at });
      send(
        res,
        200,
        page(ctx(res), {
          title: 'Costs',
          path: '/costs',
          body: costsBody(report, chartData(report, monthReport.byDay), days),
          scripts: ['/static/uplot/uPlot.iife.min.js', '/static/costs.js'],
          styles: ['/static/uplot/uPlot.min.css'],
        }),
      );
    }),
  );

  // Partners (calls and errors from the task records, spend from the ledger).
  app.get(
    '/partners',
    wrap(async (_req, res) => {
      const overview = await readPartnerOverview(deps.pool, deps.schema, { now: now() });
      send(
        res,
        200,
        page(ctx(res), {
          title: 'Partners',
          path: '/partners',
          body: partnersBody(overview, { jaegerUrl: deps.jaegerUrl }),
        }),
      );
    }),
  );

  // Routing.
  app.get(
    '/routing',
    wrap(async (req, res) => {
      const at = now();
      const config = deps.routing();
      const effective = effectiveRoutingConfig(config, deps.providers);
      const zeroCost = zeroCostRoutingConfig(effective);
      const [manifests, budget, decisions, escalations] = await Promise.all([
        deps.skills.list(),
        readBudgetView(deps.pool, deps.schema, config, at),
        views.recentDecisions(50),
        views.recentEscalations(20),
      ]);
      const explain = (manifest: (typeof manifests)[number]) =>
        explainRoute({
          manifest,
          config: effective,
          zeroCost,
          input: null,
          brain: deps.brain,
          originKind: 'a2a',
          principal: 'operator',
          budget,
          now: at,
        });
      const routes: RouteRow[] = manifests
        .sort((a, b) => a.skill.localeCompare(b.skill))
        .map((m) => ({
          skill: m.skill,
          tierHint: m.tierHint,
          configured: (config.routes as Record<string, { tier?: string }>)[m.skill]?.tier ?? null,
          explanation: explain(m),
        }));
      const skill = typeof req.query.skill === 'string' ? req.query.skill.trim().slice(0, 200) : '';
      let explained = null;
      let error: string | null = null;
      if (skill) {
        const manifest = manifests.find((m) => m.skill === skill);
        if (manifest) explained = explain(manifest);
        else
          error = `unknown skill ${skill}; known: ${manifests.map((m) => m.skill).join(', ') || 'none registered yet'}`;
      }
      send(
        res,
        error ? 404 : 200,
        page(ctx(res), {
          title: 'Routing',
          path: '/routing',
          body: routingBody({
            routes,
            decisions,
            escalations,
            explained,
            skill,
            error,
            providers: deps.providers,
            policyVersion: config.version,
          }),
        }),
      );
    }),
  );

  // Schedule (the scheduler answers over NATS, as it does `forge schedule`).
  const control = (request: SchedulerControlRequest) =>
    deps.bus.request(
      deps.bus.subjects.schedulerControl,
      SchedulerControlRequest,
      request,
      SchedulerControlReply,
      {
        timeoutMs: 10_000,
      },
    );
  const schedulePage = async (res: Response, error: string | null, status: number) => {
    let body: ReturnType<typeof scheduleBody>;
    try {
      const reply = await control({ v: SCHEDULER_CONTROL_VERSION, op: 'list' });
      if (reply.op !== 'list') throw new ForgeError('INTERNAL', `scheduler answered ${reply.op} to list`);
      body = scheduleBody({
        schedules: reply.schedules,
        clock: reply.clock,
        now: reply.now,
        csrf: ctx(res).csrfToken,
        error,
      });
    } catch (listError) {
      body = html`<p class="flash error" role="alert">No scheduler answered: ${messageOf(listError).text}</p>`;
      status = 503;
    }
    send(res, status, page(ctx(res), { title: 'Schedule', path: '/schedule', body }));
  };
  app.get(
    '/schedule',
    wrap((_req, res) => schedulePage(res, null, 200)),
  );
  app.post(
    '/schedule/:name/:op',
    wrap(async (req, res) => {
      const name = ScheduleName.parse(req.params.name);
      const op = z.enum(['pause', 'resume', 'run']).parse(req.params.op);
      try {
        const by = actor(res);
        await control({ v: SCHEDULER_CONTROL_VERSION, op, name, by } as SchedulerControlRequest);
        res.redirect(303, '/schedule');
      } catch (error) {
        const { status, text } = messageOf(error);
        await schedulePage(res, text, status);
      }
    }),
  );

  app.use((_req, res) =>
    send(res, 404, page(ctx(res), { title: 'Not found', path: '', body: html`<p>No such page.</p>` })),
  );
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const zod = error instanceof z.ZodError;
    const { status, text } = zod
      ? {
          status: 400,
          text: error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; '),
        }
      : messageOf(error);
    if (status >= 500) logger.error({ err: String(error) }, 'console request failed');
    if (res.headersSent) return;
    res.status(status).type('text/plain').send(text);
  });
  return app;
}
