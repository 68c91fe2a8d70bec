import { createHash, randomUUID } from 'node:crypto';
import { hashPassword } from '@forge/service-runtime';
import { createPool, PgApprovalRepository, schemaForBrain } from '@forge/store';
import { createLogger } from '@forge/telemetry';
import { type TestBrain, testBrain } from '@forge/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConsoleConfig } from './config.js';
import { type ConsoleService, createConsoleService } from './console-service.js';

const PASSWORD = 'first-login-secret-for-tests';

/** The auth of the console over real HTTP, real Postgres (sessions, lockout) and real NATS. */
describe('console auth (real Postgres and NATS)', () => {
  let brain: TestBrain;
  let service: ConsoleService;
  let pool: pg.Pool;
  let base: string;
  let itemId: string;

  const start = async (
    extra: Record<string, string> = {},
    adjust?: (config: ReturnType<typeof loadConsoleConfig>) => void,
  ) => {
    const config = loadConsoleConfig({
      FORGE_BRAIN: brain.name,
      FORGE_PORT: '0',
      NATS_URL: brain.natsUrl,
      DATABASE_URL: brain.databaseUrl,
      FORGE_CONSOLE_PASSWORD_HASH: await hashPassword(PASSWORD),
      FORGE_CONSOLE_MAX_FAILURES: '3',
      FORGE_CONSOLE_LOGIN_ATTEMPTS_PER_MINUTE: '100',
      FORGE_LOG_LEVEL: 'silent',
      ...extra,
    });
    adjust?.(config);
    const s = createConsoleService(config, {
      logger: createLogger({ name: 'console-test', level: 'silent' }),
    });
    await s.start();
    return s;
  };

  /** GETs the login form, returning its CSRF field and the cookie that goes with it. */
  const loginForm = async (origin = base) => {
    const res = await fetch(`${origin}/login`);
    const text = await res.text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(text)![1]!;
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    return { csrf, cookie };
  };
  const login = async (username: string, password: string, origin = base, forwardedFor?: string) => {
    const { csrf, cookie } = await loginForm(origin);
    return fetch(`${origin}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie,
        ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}),
      },
      body: new URLSearchParams({ username, password, _csrf: csrf, next: '/tasks' }),
    });
  };
  const sessionOf = (res: Response) =>
    res.headers.getSetCookie().find((c) => c.startsWith('forge_session='))!;

  beforeAll(async () => {
    brain = await testBrain('console');
    service = await start();
    base = service.url;
    pool = createPool({ connectionString: brain.databaseUrl, max: 2 });
    itemId = randomUUID();
    await new PgApprovalRepository(pool, schemaForBrain(brain.name)).create({
      id: itemId,
      sourceKey: `test:${itemId}`,
      status: 'pending',
      channel: 'x',
      draft: 'A draft waiting for a person.',
      verdict: null,
      originTaskId: null,
      requestedBy: 'compliance',
    });
  }, 60_000);
  afterAll(async () => {
    await service?.stop();
    await pool?.end();
    await brain?.cleanup();
  });

  it('reaches nothing without a session: pages redirect to the login, other requests get 401', async () => {
    const page = await fetch(`${base}/approvals`, { redirect: 'manual', headers: { accept: 'text/html' } });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/login?next=%2Fapprovals');
    for (const path of [
      '/events',
      '/costs',
      '/static/costs.js',
      '/static/uplot/uPlot.iife.min.js',
      '/approvals/list',
    ]) {
      expect((await fetch(`${base}${path}`, { redirect: 'manual' })).status, path).toBe(401);
    }
    const forged = await fetch(`${base}/approvals`, {
      redirect: 'manual',
      headers: { cookie: 'forge_session=made-up' },
    });
    expect(forged.status).toBe(401);
    expect((await fetch(`${base}/livez`)).status).toBe(200);
  });

  it('refuses a wrong password, logs in with the right one (HttpOnly, SameSite=Strict cookie) and logs out', async () => {
    const wrong = await login('operator', 'not-it');
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('Wrong name or password');
    expect(wrong.headers.getSetCookie().some((c) => c.startsWith('forge_session='))).toBe(false);

    const ok = await login('operator', PASSWORD);
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/tasks');
    const cookie = sessionOf(ok);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const session = cookie.split(';')[0]!;
    const page = await fetch(`${base}/approvals`, { headers: { cookie: session } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('A draft waiting for a person.');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)![1]!;

    const { rows } = await pool.query(
      `select token_sha256 from ${schemaForBrain(brain.name)}.console_sessions`,
    );
    expect(rows.some((r) => session.includes(r.token_sha256))).toBe(false);

    const out = await fetch(`${base}/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: session, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf }),
    });
    expect(out.status).toBe(303);
    expect(
      (await fetch(`${base}/approvals`, { redirect: 'manual', headers: { cookie: session } })).status,
    ).toBe(401);
  });

  it('refuses a POST whose CSRF token is forged or missing, and leaves the item pending', async () => {
    const session = sessionOf(await login('operator', PASSWORD)).split(';')[0]!;
    for (const body of [new URLSearchParams({ _csrf: 'forged' }), new URLSearchParams({})]) {
      const res = await fetch(`${base}/approvals/${itemId}/approve`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: session, 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
      expect(res.status).toBe(403);
    }
    const { rows } = await pool.query(
      `select status from ${schemaForBrain(brain.name)}.approval_items where id = $1`,
      [itemId],
    );
    expect(rows[0].status).toBe('pending');
  });

  it('refuses a login form not issued to this browser (login CSRF)', async () => {
    const { csrf } = await loginForm();
    const res = await fetch(`${base}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'operator', password: PASSWORD, _csrf: csrf }),
    });
    expect(res.status).toBe(403);
  });

  it('locks the name after repeated failures: even the right password is refused until the lock ends', async () => {
    for (let i = 0; i < 2; i++) expect((await login('operator', `bad-${i}`)).status).toBe(401);
    const third = await login('operator', 'bad-2');
    expect(third.status).toBe(429);
    expect(await third.text()).toMatch(/Locked after 3 failures/);
    const right = await login('operator', PASSWORD);
    expect(right.status).toBe(429);
    expect(right.headers.getSetCookie().some((c) => c.startsWith('forge_session='))).toBe(false);
    await pool.query(`delete from ${schemaForBrain(brain.name)}.console_login_failures`);
    expect((await login('operator', PASSWORD)).status).toBe(303);
  });

  it('counts parallel attempts before checking the password: the right one sent during the lock is refused', async () => {
    // Every password check waits at a gate the test opens, so all wrong attempts are in flight
    // (past the lock check) when the right password arrives.
    let inCheck = 0;
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    let entered!: () => void;
    const allWrongInCheck = new Promise<void>((resolve) => {
      entered = resolve;
    });
    let rightInCheck!: () => void;
    const rightEntered = new Promise<void>((resolve) => {
      rightInCheck = resolve;
    });
    const racing = await start({}, (config) => {
      const hash = config.passwordHash;
      const verify = hash.verify.bind(hash);
      hash.verify = async (password: string) => {
        if (password !== 'x') {
          inCheck += 1;
          if (inCheck === 3) entered();
          if (password === PASSWORD) rightInCheck();
          await gate;
        }
        return verify(password);
      };
    });
    try {
      await pool.query(`delete from ${schemaForBrain(brain.name)}.console_login_failures`);
      const wrong = [0, 1, 2].map((i) => login('operator', `parallel-bad-${i}`, racing.url));
      await allWrongInCheck;
      const right = login('operator', PASSWORD, racing.url);
      // Either the right attempt is refused at once, or (without the count before the check) it
      // reaches the password check too; then the gate opens.
      const early = await Promise.race([right.then(() => 'answered'), rightEntered.then(() => 'checking')]);
      open();
      const statuses = (await Promise.all(wrong)).map((r) => r.status);
      const answer = await right;
      expect(early).toBe('answered');
      expect(statuses.sort()).toEqual([401, 401, 429]);
      expect(answer.status).toBe(429);
      expect(answer.headers.getSetCookie().some((c) => c.startsWith('forge_session='))).toBe(false);
      expect(await answer.text()).toMatch(/Locked after repeated failures/);
    } finally {
      open();
      await racing.stop();
      await pool.query(`delete from ${schemaForBrain(brain.name)}.console_login_failures`);
    }
  });

  it('ends a session’s event streams once the session is gone, and holds at most 4 a session', async () => {
    const session = sessionOf(await login('operator', PASSWORD)).split(';')[0]!;
    const other = sessionOf(await login('operator', PASSWORD)).split(';')[0]!;
    const open = async (cookie: string) => {
      const res = await fetch(`${base}/events`, { headers: { cookie } });
      if (res.status !== 200) return { res, reader: null };
      const reader = res.body!.getReader();
      const first = new TextDecoder().decode((await reader.read()).value);
      expect(first).toMatch(/retry: 3000|event: approvals/);
      return { res, reader };
    };
    const mine = await Promise.all([1, 2, 3, 4].map(() => open(session)));
    const fifth = await open(session);
    expect(fifth.res.status).toBe(429);
    expect(await fifth.res.text()).toMatch(/at most 4 event streams a session/);
    const theirs = await open(other);
    expect(theirs.res.status).toBe(200);

    // The session ends (as logout or a password reset does); the next heartbeat closes its streams.
    const tokenHash = createHash('sha256').update(session.split('=')[1]!).digest('hex');
    await pool.query(`delete from ${schemaForBrain(brain.name)}.console_sessions where token_sha256 = $1`, [
      tokenHash,
    ]);
    await service.heartbeat();
    for (const { reader } of mine) {
      let done = false;
      while (!done) done = (await reader!.read()).done;
      expect(done).toBe(true);
    }
    // The other session's stream stays open and gets the keep-alive.
    expect(new TextDecoder().decode((await theirs.reader!.read()).value)).toMatch(
      /keep-alive|event: approvals/,
    );
    await theirs.reader!.cancel();
  });

  it('builds the flash after a decision from the item id and its status, never from text in the URL', async () => {
    const session = sessionOf(await login('operator', PASSWORD)).split(';')[0]!;
    const get = async (query: string) =>
      (
        await fetch(`${base}/approvals?${query}`, { headers: { cookie: session, accept: 'text/html' } })
      ).text();
    const spoof = 'Your session expired: call 555-0100 and read them your password.';
    const spoofed = await get(`done=${encodeURIComponent(spoof)}`);
    expect(spoofed).not.toContain('555-0100');
    expect(spoofed).not.toContain('<p class="flash ok"');
    const real = await get(`done=${itemId}`);
    expect(real).toContain(`Item ${itemId.slice(0, 8)} pending.`);
  });

  it('limits login attempts per client per minute before any password is checked', async () => {
    const limited = await start({ FORGE_CONSOLE_LOGIN_ATTEMPTS_PER_MINUTE: '2' });
    try {
      expect((await login('operator', PASSWORD, limited.url)).status).toBe(303);
      expect((await login('operator', PASSWORD, limited.url)).status).toBe(303);
      const third = await login('operator', PASSWORD, limited.url);
      expect(third.status).toBe(429);
      expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await limited.stop();
    }
  });

  it('behind a proxy, counts each client from X-Forwarded-For (and without one trusted, ignores the header)', async () => {
    const proxied = await start({
      FORGE_CONSOLE_LOGIN_ATTEMPTS_PER_MINUTE: '1',
      FORGE_CONSOLE_TRUSTED_PROXIES: '1',
    });
    const direct = await start({ FORGE_CONSOLE_LOGIN_ATTEMPTS_PER_MINUTE: '1' });
    try {
      expect((await login('operator', PASSWORD, proxied.url, '203.0.113.1')).status).toBe(303);
      expect((await login('operator', PASSWORD, proxied.url, '203.0.113.1')).status).toBe(429);
      expect((await login('operator', PASSWORD, proxied.url, '203.0.113.2')).status).toBe(303);
      // Not behind a trusted proxy: a forged header does not buy another attempt.
      expect((await login('operator', PASSWORD, direct.url, '203.0.113.1')).status).toBe(303);
      expect((await login('operator', PASSWORD, direct.url, '203.0.113.9')).status).toBe(429);
    } finally {
      await proxied.stop();
      await direct.stop();
    }
  });
});
