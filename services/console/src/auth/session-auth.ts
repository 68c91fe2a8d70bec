import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { PasswordHash } from '@forge/service-runtime';
import type { ConsoleSession, PgConsoleSessionRepository, SessionLifetimes } from '@forge/store';
import type { Logger } from '@forge/telemetry';
import { type NextFunction, type Request, type RequestHandler, type Response, Router } from 'express';
import { z } from 'zod';
import { html } from '../html.js';
import { page } from '../pages/layout.js';
import { cookieHeader, parseCookies } from './cookies.js';
import type { LoginRateLimiter } from './login-rate-limiter.js';

export interface SessionAuthDeps {
  sessions: PgConsoleSessionRepository;
  operator: string;
  passwordHash: PasswordHash;
  secureCookies: boolean;
  lifetimes: SessionLifetimes;
  maxFailures: number;
  lockMs: number;
  limiter: LoginRateLimiter;
  logger: Logger;
  now?: () => Date;
}

/** What a request carries once its session is found (`res.locals.session`). */
export interface RequestSession extends ConsoleSession {
  readonly token: string;
}

const LoginForm = z.object({
  username: z.string().trim().min(1, 'is required').max(64),
  password: z.string().min(1, 'is required').max(1024),
  _csrf: z.string().min(1, 'is missing').max(200),
  next: z.string().max(500).optional(),
});

const newToken = () => randomBytes(32).toString('base64url');

/** Same length and same bytes, compared in constant time. */
export function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Only a path on this site: `/x`, never `//host` or a scheme. */
function safeNext(next: string | undefined): string {
  return next && /^\/(?![/\\])[\w\-./?=&%]*$/.test(next) ? next : '/approvals';
}

/**
 * Operators' sessions: a login form (password checked against the configured scrypt hash; a
 * client limited to N attempts a minute; a name locked after repeated failures), a session cookie
 * (HttpOnly, SameSite=Strict, Secure and `__Host-` when configured) whose token is stored hashed in
 * Postgres, and a CSRF token per session that every POST must send back. Nothing else is
 * reachable without a session.
 */
export class SessionAuth {
  readonly #deps: SessionAuthDeps;
  readonly cookieName: string;
  readonly #loginCookie: string;

  constructor(deps: SessionAuthDeps) {
    this.#deps = deps;
    this.cookieName = deps.secureCookies ? '__Host-forge_session' : 'forge_session';
    this.#loginCookie = deps.secureCookies ? '__Host-forge_login' : 'forge_login';
  }

  #now(): Date {
    return this.#deps.now?.() ?? new Date();
  }

  /** The login and logout routes (mounted before {@link requireSession}). */
  routes(): Router {
    const router = Router();
    router.get('/login', (req, res) => this.#loginPage(req, res, null, 200));
    router.post('/login', (req, res, next) => {
      this.#login(req, res).catch(next);
    });
    router.post('/logout', this.requireSession(), this.requireCsrf(), (_req, res, next) => {
      const session = res.locals.session as RequestSession;
      this.#deps.sessions
        .delete(session.token)
        .then(() => {
          res.setHeader(
            'set-cookie',
            cookieHeader(this.cookieName, '', { secure: this.#deps.secureCookies, maxAge: 0 }),
          );
          res.redirect(303, '/login');
        })
        .catch(next);
    });
    return router;
  }

  /**
   * Finds the request's session (its idle deadline moves on) or refuses: a page request is sent to
   * the login page (303), anything else gets 401.
   */
  requireSession(): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      const token = parseCookies(req.headers.cookie).get(this.cookieName);
      const refuse = () => {
        if (req.method === 'GET' && (req.headers.accept ?? '').includes('text/html')) {
          res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
        } else {
          res.status(401).type('text/plain').send('no session: log in at /login');
        }
      };
      if (!token || token.length > 100) return refuse();
      this.#deps.sessions.touch(token, this.#deps.lifetimes, this.#now()).then((session) => {
        if (!session) return refuse();
        res.locals.session = { ...session, token } satisfies RequestSession;
        next();
      }, next);
    };
  }

  /** Whether the session of `token` is still live now (its idle deadline does not move). */
  isLive(token: string): Promise<boolean> {
    return this.#deps.sessions.isLive(token, this.#now());
  }

  /** Refuses (403) a state-changing request whose CSRF token (`_csrf` field or `x-csrf-token`) is not the session's. */
  requireCsrf(): RequestHandler {
    return (req, res, next) => {
      const session = res.locals.session as RequestSession | undefined;
      const body = req.body as Record<string, unknown> | undefined;
      const sent = typeof body?._csrf === 'string' ? body._csrf : req.get('x-csrf-token');
      if (!session || typeof sent !== 'string' || !sameToken(sent, session.csrfToken)) {
        this.#deps.logger.warn({ path: req.path }, 'console request refused: CSRF token missing or wrong');
        res
          .status(403)
          .type('text/plain')
          .send(
            'refused: the form was not issued by this session (CSRF token missing or wrong); reload the page',
          );
        return;
      }
      next();
    };
  }

  #loginPage(req: Request, res: Response, error: string | null, status: number): void {
    const csrf = newToken();
    const next =
      typeof req.query.next === 'string'
        ? req.query.next
        : typeof req.body?.next === 'string'
          ? req.body.next
          : '';
    res.setHeader(
      'set-cookie',
      cookieHeader(this.#loginCookie, csrf, { secure: this.#deps.secureCookies, maxAge: 600 }),
    );
    const body = html`<form method="post" action="/login" class="login card">
<input type="hidden" name="_csrf" value="${csrf}">
<input type="hidden" name="next" value="${safeNext(next)}">
<label for="username">Operator</label>
<input id="username" name="username" autocomplete="username" required value="${this.#deps.operator}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required autofocus>
<p><button type="submit" class="primary">Log in</button></p>
<p class="meta">The first password is the one <code>forge up</code> printed (kept in <code>console-password</code> under the brain's state folder).</p>
</form>`;
    res
      .status(status)
      .type('html')
      .send(
        page(null, {
          title: 'Log in',
          path: '/login',
          body,
          flash: error ? { kind: 'error', text: error } : null,
        }),
      );
  }

  async #login(req: Request, res: Response): Promise<void> {
    const { limiter, sessions, logger } = this.#deps;
    const now = this.#now();
    const client = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    if (!limiter.allow(client, now.getTime())) {
      const wait = Math.ceil((limiter.retryAt(client, now.getTime()) - now.getTime()) / 1000);
      res.setHeader('retry-after', String(wait));
      logger.warn({ client }, 'console login refused: too many attempts from this client');
      return this.#loginPage(req, res, `Too many attempts; try again in ${wait} s.`, 429);
    }
    const parsed = LoginForm.safeParse(req.body ?? {});
    if (!parsed.success) {
      const fields = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      return this.#loginPage(req, res, `Login form: ${fields}`, 400);
    }
    const form = parsed.data;
    const issued = parseCookies(req.headers.cookie).get(this.#loginCookie);
    if (!issued || !sameToken(issued, form._csrf)) {
      logger.warn({ client }, 'console login refused: login form token missing or wrong');
      return this.#loginPage(req, res, 'The login form expired or was not issued here; try again.', 403);
    }
    // One name may log in; any other name counts as a failure of that name's bucket.
    const name = form.username === this.#deps.operator ? form.username : '(unknown)';
    // The attempt is counted before the password is checked (one atomic upsert), so parallel
    // attempts in flight during the ~100 ms of scrypt cannot get past a lock they all read as open.
    const attempt = await sessions.countAttempt(name, this.#deps.maxFailures, this.#deps.lockMs, now);
    if (!attempt.allowed) {
      await this.#deps.passwordHash.verify('x');
      logger.warn({ operator: name }, 'console login refused: name locked after repeated failures');
      return this.#loginPage(
        req,
        res,
        `Locked after repeated failures until ${attempt.lockedUntil?.toISOString().slice(11, 16) ?? '?'} UTC.`,
        429,
      );
    }
    const ok = (await this.#deps.passwordHash.verify(form.password)) && name === this.#deps.operator;
    if (!ok) {
      logger.warn(
        { operator: name, failures: attempt.attempts, locked: attempt.lockedUntil !== null },
        'console login failed',
      );
      return this.#loginPage(
        req,
        res,
        attempt.lockedUntil
          ? `Wrong name or password. Locked after ${attempt.attempts} failures until ${attempt.lockedUntil.toISOString().slice(11, 16)} UTC.`
          : 'Wrong name or password.',
        attempt.lockedUntil ? 429 : 401,
      );
    }
    await sessions.clearFailures(name);
    const token = newToken();
    await sessions.create({
      token,
      operator: name,
      csrfToken: newToken(),
      userAgent: req.get('user-agent') ?? null,
      lifetimes: this.#deps.lifetimes,
      now,
    });
    logger.info({ operator: name }, 'console login');
    res.setHeader('set-cookie', [
      cookieHeader(this.cookieName, token, {
        secure: this.#deps.secureCookies,
        maxAge: Math.floor(this.#deps.lifetimes.absoluteMs / 1000),
      }),
      cookieHeader(this.#loginCookie, '', { secure: this.#deps.secureCookies, maxAge: 0 }),
    ]);
    res.redirect(303, safeNext(form.next));
  }
}
