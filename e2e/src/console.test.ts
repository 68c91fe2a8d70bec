import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TASK_ENVELOPE_VERSION, type TaskEnvelope } from '@forge/contracts';
import { createPool, PgApprovalRepository, PgTaskRepository, schemaForBrain } from '@forge/store';
import {
  connectTestNats,
  deleteBrainStreams,
  dropBrainSchema,
  testDatabaseUrl,
  testNatsUrl,
  uniqueBrain,
} from '@forge/testkit';
import type pg from 'pg';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, launchChromium, logIn, PHONE, seriousViolations, tabTo } from './console-browser.js';
import { eventually } from './eventually.js';
import { type ForgeUp, REPO_ROOT, runForge, startForgeUp } from './forge-process.js';
import { freePortBase } from './free-ports.js';
import { acquireMeshLock, MESH_LOCK_WAIT_MS } from './mesh-lock.js';

/**
 * The console in real Chromium against a real mesh (`forge up`: router, agents, publisher,
 * scheduler, console; real NATS and Postgres): log in, approve one item and see the publisher
 * publish it once, reject one and see it never published, edit then approve with the keyboard
 * alone, live updates, the costs page's charts drawn from the ledger's numbers, the partners page's
 * calls, errors and spend from the task records and the ledger, refusals (wrong
 * password, no session, forged CSRF), axe-core on every page, phone and desktop screenshots
 * (docs/console/*.png with FORGE_UPDATE_SCREENSHOTS=1) and the pages' interactive time on a 4× throttled CPU (printed, not asserted).
 */

const WINDOWS_ALWAYS_OPEN = `[{ timeZone: UTC, days: [mon, tue, wed, thu, fri, sat, sun], start: "00:00", end: "24:00" }]`;
/**
 * docs/console/ with FORGE_UPDATE_SCREENSHOTS=1 (refreshing the docs' pictures); otherwise a
 * folder of the test's own, so a test run leaves the checkout as it found it.
 */
const SHOTS =
  process.env.FORGE_UPDATE_SCREENSHOTS === '1'
    ? join(REPO_ROOT, 'docs', 'console')
    : join(tmpdir(), `forge-console-shots-${process.pid}`);
const PAGES = ['approvals', 'tasks', 'costs', 'partners', 'routing', 'schedule'] as const;

function dayConfig(notifyUrl: string, consoleUrl: string): string {
  return `version: e2e-console
voice: { name: Brad, traits: [plain, direct], bannedPhrases: [game changer], maxRedrafts: 1 }
engagement: { minStoryScore: 0.6, channel: x, recallLessons: 3 }
approvals:
  mode: all
  notify: { url: "${notifyUrl}", format: ntfy, clickUrl: "${consoleUrl}/approvals/{id}" }
  pollMs: 200
publisher:
  target: outbox
  windows: ${WINDOWS_ALWAYS_OPEN}
  minSpacingMinutes: 0
diary:
  timeZone: UTC
  notable: [publisher.*]
`;
}

describe('the console in Chromium, against a running mesh', () => {
  const brain = uniqueBrain('console');
  const schema = schemaForBrain(brain);
  let stateDir: string;
  let env: NodeJS.ProcessEnv;
  let up: ForgeUp;
  let base: string;
  let password: string;
  let pool: pg.Pool;
  let repo: PgApprovalRepository;
  let browser: Browser;
  let phone: BrowserContext;
  let page: Page;
  let releaseMesh: (() => Promise<void>) | undefined;
  let notify: { server: Server; received: { click: string | undefined; body: string }[] };
  const items = { approve: randomUUID(), reject: randomUUID(), keyboard: randomUUID(), live: randomUUID() };

  const addItem = (id: string, text: string) =>
    repo.create({
      id,
      sourceKey: `e2e:${id}`,
      status: 'pending',
      channel: 'x',
      draft: text,
      verdict: {
        decision: 'needs-review',
        policyVersion: 'e2e',
        violations: [
          { ruleId: 'brand.claims', severity: 'review', why: 'a claim to check', excerpt: 'best' },
        ],
      },
      rulesFired: ['brand.claims'],
      review: {
        recommendation: 'publish',
        summary: 'Fine after a look.',
        reasoning: 'Step 1: no health claim. Step 2: the claim is an opinion.',
        concerns: [],
        suggestedText: null,
        confidence: 0.8,
        model: 'anthropic:claude-opus-5.5',
        offline: false,
        taskId: randomUUID(),
      },
      context: { publishAt: new Date().toISOString() },
      originTaskId: null,
      requestedBy: 'compliance',
    });

  beforeAll(async () => {
    releaseMesh = await acquireMeshLock('console');
    stateDir = await mkdtemp(join(tmpdir(), 'forge-console-'));
    const received: { click: string | undefined; body: string }[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({
          click: req.headers.click as string | undefined,
          body: Buffer.concat(chunks).toString(),
        });
        res.writeHead(200).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    notify = { server, received };
    const portBase = await freePortBase();
    base = `http://127.0.0.1:${portBase + 9}`;
    const dayFile = join(stateDir, 'day.yaml');
    await writeFile(
      dayFile,
      dayConfig(`http://127.0.0.1:${(server.address() as AddressInfo).port}/approvals`, base),
    );
    env = {
      ...Object.fromEntries(
        Object.entries(process.env).filter(([key]) => !/^(ANTHROPIC|OPENAI)_(API_KEY|BASE_URL)/.test(key)),
      ),
      NATS_URL: testNatsUrl(),
      DATABASE_URL: testDatabaseUrl(),
      FORGE_LOG_LEVEL: 'warn',
      FORGE_DAY_CONFIG: dayFile,
      FORGE_JAEGER_URL: 'http://jaeger.example:16686',
    };
    up = startForgeUp(['--brain', brain, '--state-dir', stateDir, '--port-base', String(portBase)], env);
    const ready = (await up.waitForEvent('ready', 150_000)) as {
      console: { url: string; operator: string; passwordFile: string; firstLoginSecret: string | null };
    };
    expect(ready.console.url).toBe(base);
    expect(ready.console.firstLoginSecret).toMatch(/^[A-Za-z0-9_-]{24}$/);
    password = ready.console.firstLoginSecret!;
    expect((await readFile(ready.console.passwordFile, 'utf8')).trim()).toBe(password);
    pool = createPool({ connectionString: testDatabaseUrl(), max: 2 });
    repo = new PgApprovalRepository(pool, schema);
    await addItem(items.approve, 'Approve me: METRC manifests before the truck leaves.');
    await addItem(items.reject, 'Reject me: the best weed in town, guaranteed.');
    await addItem(items.keyboard, 'Edit me with the keyboard.');
    browser = await launchChromium();
    phone = await browser.newContext(PHONE);
    page = await phone.newPage();
  }, MESH_LOCK_WAIT_MS + 240_000);

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await pool?.end().catch(() => {});
    if (up && (await up.exited(0)) === null) {
      up.child.kill('SIGTERM');
      if ((await up.exited(20_000)) === null) up.child.kill('SIGKILL');
    }
    await new Promise((resolve) => notify?.server.close(resolve));
    const nc = await connectTestNats('forge-console-cleanup');
    try {
      await deleteBrainStreams(nc, brain);
    } finally {
      await nc.close();
    }
    await dropBrainSchema(testDatabaseUrl(), brain);
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
    await releaseMesh?.();
  }, 60_000);

  const publications = async (approvalId: string) =>
    (
      await pool.query<{ status: string; posts: number }>(
        `select p.status, (select count(*)::int from ${schema}.outbox_posts o where o.publication_id = p.id) as posts
           from ${schema}.publications p where p.approval_id = $1`,
        [approvalId],
      )
    ).rows;

  it('refuses a wrong password, then logs in and shows the queue with draft, verdict, rules and reasoning', async () => {
    await page.goto(`${base}/approvals`);
    expect(page.url()).toContain('/login?next=%2Fapprovals');
    await page.fill('#password', 'not-the-password');
    await page.click('button[type=submit]');
    await expect.poll(() => page.textContent('.flash')).toContain('Wrong name or password');
    await logIn(page, base, password);
    for (const id of [items.approve, items.reject, items.keyboard]) {
      const card = page.locator(`#item-${id}`);
      await card.waitFor();
      const text = await card.textContent();
      expect(text).toContain('needs-review');
      expect(text).toContain('brand.claims');
      expect(text).toContain('Fine after a look.');
    }
    await page.click(`#item-${items.approve} summary:has-text("Reasoning")`);
    expect(await page.locator(`#item-${items.approve} pre`).textContent()).toContain(
      'Step 1: no health claim',
    );
    // The compliance watcher notified each item, its click opening it in the console.
    await eventually('three notifications', 60_000, async () =>
      notify.received.length >= 3 ? true : undefined,
    );
    expect(notify.received.map((n) => n.click).sort()).toEqual(
      [items.approve, items.reject, items.keyboard].map((id) => `${base}/approvals/${id}`).sort(),
    );
  }, 60_000);

  it('approves an item and the publisher publishes it exactly once; a second approval is refused', async () => {
    await Promise.all([
      page.waitForURL(/done=/),
      page.click(`#item-${items.approve} .actions button.primary`),
    ]);
    expect(await page.textContent('.flash')).toMatch(/approved/);
    const published = await eventually('the approved post in the outbox', 60_000, async () => {
      const rows = await publications(items.approve);
      return rows[0]?.status === 'published' ? rows : undefined;
    });
    expect(published).toEqual([{ status: 'published', posts: 1 }]);
    const { rows } = await pool.query(`select decided_by from ${schema}.approval_items where id = $1`, [
      items.approve,
    ]);
    expect(rows[0].decided_by).toBe('console:operator');
    // The same form posted again (a double tap, a stale tab): refused, nothing published again.
    const again = await page.evaluate(
      async ({ id }) => {
        const csrf = (document.querySelector('input[name=_csrf]') as HTMLInputElement).value;
        const res = await fetch(`/approvals/${id}/approve`, {
          method: 'POST',
          body: new URLSearchParams({ _csrf: csrf }),
          redirect: 'manual',
        });
        return res.status;
      },
      { id: items.approve },
    );
    expect(again).toBe(409);
    expect(await publications(items.approve)).toEqual([{ status: 'published', posts: 1 }]);
  }, 90_000);

  it('rejects an item with a reason and it is never published', async () => {
    await page.goto(`${base}/approvals`);
    await page.fill(`#reason-${items.reject}`, 'a health claim we cannot make');
    await Promise.all([
      page.waitForURL(/done=/),
      page.click(`#item-${items.reject} button:has-text("Reject")`),
    ]);
    const { rows } = await pool.query(
      `select status, decision_reason from ${schema}.approval_items where id = $1`,
      [items.reject],
    );
    expect(rows[0]).toEqual({ status: 'rejected', decision_reason: 'a health claim we cannot make' });
    // The publisher has run (the approved item is out); the rejected one has no hand-off at all.
    const { rows: tasks } = await pool.query(
      `select count(*)::int as n from ${schema}.tasks where idempotency_key = $1`,
      [`publish:${items.reject}`],
    );
    expect(tasks[0].n).toBe(0);
    expect(await publications(items.reject)).toEqual([]);
  });

  it('edits then approves with the keyboard alone', async () => {
    await page.goto(`${base}/approvals`);
    await tabTo(page, `#item-${items.keyboard} details.edit > summary`);
    await page.keyboard.press('Enter');
    await tabTo(page, `#text-${items.keyboard}`);
    await page.keyboard.press('Control+A');
    await page.keyboard.type('Edited with the keyboard: file manifests before departure.');
    await tabTo(page, `#item-${items.keyboard} details.edit button[type=submit]`);
    await Promise.all([page.waitForURL(/done=/), page.keyboard.press('Enter')]);
    const item = await repo.get(items.keyboard);
    expect(item).toMatchObject({
      status: 'approved',
      text: 'Edited with the keyboard: file manifests before departure.',
      decidedBy: 'console:operator',
    });
    expect(item!.decisions.map((d) => d.action)).toContain('edit-approve');
    await eventually('the edited post published', 60_000, async () => {
      const rows = await publications(items.keyboard);
      return rows[0]?.status === 'published' ? rows : undefined;
    });
  }, 90_000);

  it('shows a new item as it arrives, without a reload (SSE)', async () => {
    await page.goto(`${base}/approvals`);
    await page.evaluate(() => {
      (window as unknown as { marker: number }).marker = 1;
    });
    await addItem(items.live, 'Arrived while the page was open.');
    await page.locator(`#item-${items.live}`).waitFor({ timeout: 20_000 });
    // Same document: the list was swapped in, not the page reloaded.
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1);
  }, 30_000);

  it('refuses a forged CSRF token and a missing session', async () => {
    const status = await page.evaluate(async (id) => {
      const res = await fetch(`/approvals/${id}/reject`, {
        method: 'POST',
        body: new URLSearchParams({ _csrf: 'forged-token', reason: 'forged' }),
        redirect: 'manual',
      });
      return res.status;
    }, items.live);
    expect(status).toBe(403);
    expect((await repo.get(items.live))!.status).toBe('pending');
    const stranger = await browser.newContext(PHONE);
    const other = await stranger.newPage();
    for (const name of PAGES) {
      await other.goto(`${base}/${name}`);
      expect(other.url()).toContain('/login');
    }
    const post = await other.evaluate(async (id) => {
      const res = await fetch(`/approvals/${id}/approve`, { method: 'POST', body: new URLSearchParams({}) });
      return res.status;
    }, items.live);
    expect(post).toBe(401);
    await stranger.close();
  });

  it('draws the costs charts from the ledger: the numbers in the chart are the ledger sums', async () => {
    const day = (offset: number) => new Date(Date.now() - offset * 86_400_000);
    // Tokens that make each cost at config/forge.yaml's list prices, so the all-frontier
    // equivalent the page shows (the same tokens at the frontier model's prices) is a real one.
    const rows: [Date, string, number, number, boolean, string, number, number][] = [
      [day(0), 'small', 120_000, 0, false, 'anthropic:claude-haiku-5.5', 700_000, 100_000],
      [day(0), 'mid', 450_000, 0, false, 'anthropic:claude-sonnet-5.5', 100_000, 25_000],
      [day(0), 'frontier', 2_000_000, 0, false, 'anthropic:claude-opus-5.5', 250_000, 50_000],
      [day(1), 'mid', 300_000, 0, false, 'anthropic:claude-sonnet-5.5', 50_000, 20_000],
      [day(1), 'frontier', 0, 777_000, true, 'offline:frontier', 94_250, 20_000],
    ];
    for (const [at, tier, cost, shadow, offline, model, inputTokens, outputTokens] of rows) {
      await pool.query(
        `insert into ${schema}.cost_ledger (task_id, attempt, call_id, seq, source, skill, agent, brain, tier, provider,
           model, offline, input_tokens, output_tokens, cache_read_tokens, cache_write_5m_tokens, cache_write_1h_tokens,
           reasoning_tokens, cost_micros, shadow_cost_micros, latency_ms, outcome, created_at)
         values ($1, 1, 1, 1, 'task', 'engagement.draft-reply', 'engagement', $2, $3, $4, $5, $6, $10, $11, 0, 0, 0, 0,
           $7, $8, 100, 'ok', $9)`,
        [
          randomUUID(),
          brain,
          tier,
          offline ? 'offline' : 'anthropic',
          model,
          offline,
          cost,
          shadow,
          at,
          inputTokens,
          outputTokens,
        ],
      );
    }
    // What the ledger says per UTC day and tier (the mesh's own offline calls included).
    const { rows: sums } = await pool.query<{ day: string; tier: string; spend: number; shadow: number }>(
      `select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD') as day, tier,
              sum(cost_micros)::int as spend, sum(shadow_cost_micros)::int as shadow
         from ${schema}.cost_ledger where created_at >= now() - interval '3 days' group by 1, 2`,
    );
    await page.goto(`${base}/costs`);
    await page.waitForFunction(
      () => (window as unknown as { forgeCharts?: { spend?: unknown } }).forgeCharts?.spend,
    );
    const drawn = await page.evaluate(() => {
      const charts = (
        window as unknown as {
          forgeCharts: Record<
            string,
            { data: (number | null)[][]; forge?: { tiers: string[]; raw: number[][] } }
          >;
        }
      ).forgeCharts;
      const canvas = document.querySelector('#spend-chart canvas') as HTMLCanvasElement;
      const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let painted = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) painted++;
      return {
        x: charts.spend!.data[0]!,
        tiers: charts.spend!.forge!.tiers,
        raw: charts.spend!.forge!.raw,
        top: charts.spend!.data[1]!,
        shadow: charts.shadow!.data[1]!,
        painted,
        mtd: document.getElementById('mtd-spend')!.textContent,
      };
    });
    expect(drawn.painted).toBeGreaterThan(1000);
    const dayOf = (x: number) => new Date(x * 1000).toISOString().slice(0, 10);
    const today = day(0).toISOString().slice(0, 10);
    const yesterday = day(1).toISOString().slice(0, 10);
    const at = (tier: string, d: string) => {
      const i = drawn.x.findIndex((x) => dayOf(x!) === d);
      return Math.round(drawn.raw[drawn.tiers.indexOf(tier)]![i]! * 1e6);
    };
    expect([at('small', today), at('mid', today), at('frontier', today), at('mid', yesterday)]).toEqual([
      120_000, 450_000, 2_000_000, 300_000,
    ]);
    // Every bar is the ledger's sum for its day and tier; the stack's top is the day's total.
    for (const s of sums.filter((s) => s.day === today || s.day === yesterday))
      expect(at(s.tier, s.day), `${s.day} ${s.tier}`).toBe(s.spend);
    const todayIndex = drawn.x.findIndex((x) => dayOf(x!) === today);
    expect(Math.round(drawn.top[todayIndex]! * 1e6)).toBe(
      sums.filter((s) => s.day === today).reduce((n, s) => n + s.spend, 0),
    );
    const shadowYesterday = sums.filter((s) => s.day === yesterday).reduce((n, s) => n + s.shadow, 0);
    expect(shadowYesterday).toBeGreaterThanOrEqual(777_000);
    expect(Math.round(drawn.shadow[drawn.x.findIndex((x) => dayOf(x!) === yesterday)]! * 1e6)).toBe(
      shadowYesterday,
    );
    // The month-to-date figure is the month's ledger spend (the same report as `forge costs`).
    const costs = await runForge(['costs', '--brain', brain, '--state-dir', stateDir, '--json'], env);
    expect(costs.code, costs.stderr).toBe(0);
    const report = JSON.parse(costs.stdout) as { monthToDate: { spendMicros: number } };
    const usd = (m: number) => `$${(m / 1e6).toFixed(2)}`;
    expect(drawn.mtd).toBe(usd(report.monthToDate.spendMicros));
  }, 60_000);

  it('shows calls, errors and spend per partner: the task records and the ledger sums, as `forge partners --json`', async () => {
    const tasks = new PgTaskRepository(pool, schema);
    const minuteAgo = new Date(Date.now() - 60_000).toISOString();
    const task = async (
      partner: string | null,
      skill: string,
      input: unknown,
      end: 'completed' | 'failed' | 'rejected',
    ) => {
      const e: TaskEnvelope = {
        v: TASK_ENVELOPE_VERSION,
        id: randomUUID(),
        skill: skill as TaskEnvelope['skill'],
        input,
        origin:
          partner === null
            ? { kind: 'a2a', brain, by: 'operator' }
            : { kind: 'partner', brain, partner, by: `partner:${partner}` },
        idempotencyKey: randomUUID(),
        contextId: randomUUID(),
        createdAt: minuteAgo,
      };
      await tasks.create(e);
      if (end === 'rejected')
        await tasks.transition(e.id, {
          to: 'rejected',
          error: { code: 'FORBIDDEN', message: 'skill not shared' },
        });
      else {
        await tasks.transition(e.id, { to: 'working' });
        await tasks.transition(
          e.id,
          end === 'failed'
            ? { to: 'failed', error: { code: 'PROVIDER_ERROR', message: 'the model did not answer' } }
            : { to: 'completed', output: {} },
        );
      }
      return e.id;
    };
    await task('acme', 'scout.recent-items', {}, 'completed');
    await task('acme', 'scout.recent-items', {}, 'completed');
    const failed = await task('acme', 'scout.recent-items', {}, 'failed');
    await task('zeta', 'compliance.check-text', {}, 'rejected');
    await task(
      null,
      'partners.ask',
      { target: 'partner/acme/compliance.check-text', input: {} },
      'completed',
    );
    for (const [partner, tier, cost] of [
      ['acme', 'small', 1_500],
      ['acme', 'mid', 250_000],
      ['zeta', 'small', 80],
    ] as const) {
      await pool.query(
        `insert into ${schema}.cost_ledger (task_id, attempt, call_id, seq, source, skill, agent, brain, partner, tier,
           provider, model, offline, input_tokens, output_tokens, cache_read_tokens, cache_write_5m_tokens,
           cache_write_1h_tokens, reasoning_tokens, cost_micros, shadow_cost_micros, latency_ms, outcome, created_at)
         values ($1, 1, 1, 1, 'task', 'scout.recent-items', 'scout', $2, $3, $4, 'anthropic', 'anthropic:claude-haiku-5.5',
           false, 1000, 100, 0, 0, 0, 0, $5, 0, 100, 'ok', $6)`,
        [randomUUID(), brain, partner, tier, cost, minuteAgo],
      );
    }
    // What the ledger and the task records say for this UTC month.
    const { rows: spend } = await pool.query<{ partner: string; spend: number }>(
      `select partner, sum(cost_micros)::int as spend from ${schema}.cost_ledger
        where partner is not null and created_at >= date_trunc('month', now() at time zone 'UTC') at time zone 'UTC'
        group by partner order by partner`,
    );
    expect(spend).toEqual([
      { partner: 'acme', spend: 251_500 },
      { partner: 'zeta', spend: 80 },
    ]);
    const { rows: calls } = await pool.query<{ partner: string; calls: number; errors: number }>(
      `select origin->>'partner' as partner, count(*)::int as calls,
              count(*) filter (where state in ('failed', 'rejected', 'canceled'))::int as errors
         from ${schema}.tasks where origin->>'kind' = 'partner' group by 1 order by 1`,
    );
    await page.goto(`${base}/partners`);
    const shown = await page.evaluate(() =>
      [...document.querySelectorAll('#partners-table tbody tr')].map((tr) => {
        const cell = (field: string) => tr.querySelector(`[data-field="${field}"]`)!;
        return {
          partner: tr.getAttribute('data-partner'),
          calls: Number(cell('calls').textContent),
          errors: Number(cell('errors').textContent),
          spend: Number(cell('spend').querySelector('[data-micros]')!.getAttribute('data-micros')),
          daySpend: Number(cell('day-spend').querySelector('[data-micros]')!.getAttribute('data-micros')),
          outbound: Number(cell('outbound-calls').textContent),
          rate: cell('error-rate').textContent,
        };
      }),
    );
    expect(shown.map(({ partner, calls, errors }) => ({ partner, calls, errors }))).toEqual(calls);
    expect(shown.map(({ partner, spend }) => ({ partner, spend }))).toEqual(spend);
    expect(shown.map((s) => [s.partner, s.daySpend, s.outbound, s.rate])).toEqual([
      ['acme', 251_500, 1, '33.3%'],
      ['zeta', 80, 0, '100.0%'],
    ]);
    const failure = page.locator(`#failures-table tr[data-task="${failed}"]`);
    expect(await failure.textContent()).toContain('the model did not answer');
    expect(await failure.locator('a:has-text("trace")').getAttribute('href')).toMatch(
      /^http:\/\/jaeger\.example:16686\/search\?service=forge-router&tags=/,
    );
    // The CLI prints the same numbers from the same report.
    const cli = await runForge(['partners', '--brain', brain, '--state-dir', stateDir, '--json'], env);
    expect(cli.code, cli.stderr).toBe(0);
    const report = JSON.parse(cli.stdout) as {
      window: {
        partners: { partner: string; inbound: { calls: number; errors: number; spendMicros: number } }[];
      };
    };
    expect(
      report.window.partners.map((p) => ({
        partner: p.partner,
        calls: p.inbound.calls,
        errors: p.inbound.errors,
        spend: p.inbound.spendMicros,
      })),
    ).toEqual(shown.map(({ partner, calls, errors, spend }) => ({ partner, calls, errors, spend })));
  }, 60_000);

  it('shows tasks with tier, model, cost, state and a trace link; routing and schedule from the mesh', async () => {
    await page.goto(`${base}/tasks`);
    const rows = await page.locator('#tasks-table tbody tr').count();
    expect(rows).toBeGreaterThan(0);
    const publish = page.locator('#tasks-table tbody tr', { hasText: 'publisher.schedule-approved' }).first();
    expect(await publish.textContent()).toMatch(/tool/);
    expect(await publish.locator('a:has-text("trace")').getAttribute('href')).toMatch(
      /^http:\/\/jaeger\.example:16686\/search\?service=forge-router&tags=/,
    );
    const cli = await runForge(
      ['tasks', '--brain', brain, '--state-dir', stateDir, '--json', '--limit', '500'],
      env,
    );
    expect(cli.code, cli.stderr).toBe(0);
    const tasks = (JSON.parse(cli.stdout) as { tasks: { id: string; state: string }[] }).tasks;
    const firstId = await page.locator('#tasks-table tbody tr').first().getAttribute('data-task');
    expect(tasks.map((t) => t.id)).toContain(firstId);

    await page.goto(`${base}/routing?skill=compliance.review`);
    expect(await page.locator('#explain').textContent()).toContain('compliance.review → frontier');
    expect(await page.locator('#route-table tbody tr').count()).toBeGreaterThan(5);
    expect(await page.locator('#decisions-table tbody tr').count()).toBeGreaterThan(0);

    await page.goto(`${base}/schedule`);
    const first = page.locator('article[id^=schedule-]').first();
    const name = (await first.getAttribute('id'))!.slice('schedule-'.length);
    await Promise.all([
      page.waitForURL(`${base}/schedule`),
      first.locator('button:has-text("Pause")').click(),
    ]);
    expect(await page.locator(`#schedule-${name}`).textContent()).toMatch(/paused by console:operator/);
    const listed = await runForge(
      ['schedule', 'list', '--brain', brain, '--state-dir', stateDir, '--json'],
      env,
    );
    const schedule = (
      JSON.parse(listed.stdout) as { schedules: { name: string; paused: boolean }[] }
    ).schedules.find((s) => s.name === name);
    expect(schedule?.paused).toBe(true);
    await Promise.all([
      page.waitForURL(`${base}/schedule`),
      page.locator(`#schedule-${name} button:has-text("Resume")`).click(),
    ]);
    expect(await page.locator(`#schedule-${name}`).textContent()).not.toMatch(/paused by/);
  }, 60_000);

  it('has no serious accessibility violations on the main pages (axe-core)', async () => {
    const axeContext = await browser.newContext({ ...DESKTOP, bypassCSP: true });
    const axePage = await axeContext.newPage();
    await logIn(axePage, base, password);
    const found: Record<string, unknown[]> = {};
    for (const name of ['login', ...PAGES]) {
      if (name === 'login') {
        const anon = await browser.newContext({ bypassCSP: true });
        const p = await anon.newPage();
        await p.goto(`${base}/login`);
        found[name] = await seriousViolations(p);
        await anon.close();
        continue;
      }
      await axePage.goto(`${base}/${name}`);
      if (name === 'costs') await axePage.waitForFunction(() => 'forgeCharts' in window);
      found[name] = await seriousViolations(axePage);
    }
    await axeContext.close();
    expect(found).toEqual({
      login: [],
      approvals: [],
      tasks: [],
      costs: [],
      partners: [],
      routing: [],
      schedule: [],
    });
  }, 90_000);

  it('keeps phone and desktop screenshots of every page, and prints each page’s interactive time on a 4× slower CPU', async () => {
    await mkdir(SHOTS, { recursive: true });
    const desktop = await browser.newContext(DESKTOP);
    const wide = await desktop.newPage();
    await logIn(wide, base, password);
    for (const [context, p, size] of [
      [phone, page, 'phone'],
      [desktop, wide, 'desktop'],
    ] as const) {
      for (const name of PAGES) {
        await p.goto(`${base}/${name}${name === 'approvals' ? '?status=all' : ''}`);
        if (name === 'costs') await p.waitForFunction(() => 'forgeCharts' in window);
        await p.screenshot({ path: join(SHOTS, `${name}-${size}.png`), fullPage: size === 'desktop' });
      }
      void context;
    }
    await desktop.close();
    const login = await browser.newContext(PHONE);
    const lp = await login.newPage();
    await lp.goto(`${base}/login`);
    await lp.screenshot({ path: join(SHOTS, 'login-phone.png') });
    await login.close();

    // Interactive time: a phone-class CPU is taken as 4× slower than this machine's core.
    const cdp = await phone.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    const measured: Record<string, { domInteractiveMs: number; loadMs: number; chartsMs?: number }> = {};
    for (const name of PAGES) {
      await page.goto(`${base}/${name}`, { waitUntil: 'load' });
      if (name === 'costs') await page.waitForFunction(() => 'forgeCharts' in window);
      measured[name] = await page.evaluate(() => {
        const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
        const charts = performance.getEntriesByName('forge:charts')[0];
        return {
          domInteractiveMs: Math.round(nav.domInteractive),
          loadMs: Math.round(nav.loadEventEnd),
          ...(charts ? { chartsMs: Math.round(charts.startTime) } : {}),
        };
      });
    }
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
    console.log(`console interactive time, CPU throttled 4x (ms): ${JSON.stringify(measured)}`);
    for (const name of PAGES) expect(measured[name]!.domInteractiveMs).toBeGreaterThan(0);
  }, 120_000);
});
