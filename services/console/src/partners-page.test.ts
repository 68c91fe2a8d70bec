import { randomUUID } from 'node:crypto';
import { TASK_ENVELOPE_VERSION, type TaskEnvelope } from '@forge/contracts';
import { readPartnerOverview } from '@forge/ledger-views';
import { hashPassword } from '@forge/service-runtime';
import { createPool, PgTaskRepository, schemaForBrain } from '@forge/store';
import { createLogger } from '@forge/telemetry';
import { type TestBrain, testBrain } from '@forge/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConsoleConfig } from './config.js';
import { type ConsoleService, createConsoleService } from './console-service.js';

const PASSWORD = 'partners-page-secret-for-tests';

/** The partners page over real HTTP with a session, its numbers from real Postgres rows. */
describe('the partners page (real Postgres and NATS)', () => {
  let brain: TestBrain;
  let service: ConsoleService;
  let pool: pg.Pool;
  let schema: string;
  let session: string;
  const failedId = randomUUID();

  const envelope = (
    partner: string | null,
    skill: string,
    input: unknown,
    id = randomUUID(),
  ): TaskEnvelope => ({
    v: TASK_ENVELOPE_VERSION,
    id,
    skill: skill as TaskEnvelope['skill'],
    input,
    origin:
      partner === null
        ? { kind: 'a2a', brain: brain.name, by: 'operator' }
        : { kind: 'partner', brain: brain.name, partner, by: `partner:${partner}` },
    idempotencyKey: randomUUID(),
    contextId: randomUUID(),
    createdAt: new Date(Date.now() - 60_000).toISOString(),
  });
  const ledger = (partner: string | null, tier: string, cost: number, outcome = 'ok') =>
    pool.query(
      `insert into ${schema}.cost_ledger (task_id, attempt, call_id, seq, source, skill, agent, brain, partner, tier,
         provider, model, offline, input_tokens, output_tokens, cache_read_tokens, cache_write_5m_tokens,
         cache_write_1h_tokens, reasoning_tokens, cost_micros, shadow_cost_micros, latency_ms, outcome, created_at)
       values (gen_random_uuid(), 1, 1, 1, 'task', 'scout.recent-items', 'scout', $1, $2, $3, 'anthropic',
         'anthropic:m', false, 10, 5, 0, 0, 0, 0, $4, 0, 50, $5, now() - interval '1 minute')`,
      [brain.name, partner, tier, cost, outcome],
    );

  beforeAll(async () => {
    brain = await testBrain('partnerspage');
    schema = schemaForBrain(brain.name);
    const config = loadConsoleConfig({
      FORGE_BRAIN: brain.name,
      FORGE_PORT: '0',
      NATS_URL: brain.natsUrl,
      DATABASE_URL: brain.databaseUrl,
      FORGE_CONSOLE_PASSWORD_HASH: await hashPassword(PASSWORD),
      FORGE_JAEGER_URL: 'http://jaeger.example:16686',
      FORGE_LOG_LEVEL: 'silent',
    });
    service = createConsoleService(config, {
      logger: createLogger({ name: 'console-test', level: 'silent' }),
    });
    await service.start();
    pool = createPool({ connectionString: brain.databaseUrl, max: 2 });
    const tasks = new PgTaskRepository(pool, schema);
    for (const [partner, skill, input, state, id] of [
      ['acme', 'scout.recent-items', {}, 'completed'],
      ['acme', 'scout.recent-items', {}, 'completed'],
      ['acme', 'scout.recent-items', {}, 'failed', failedId],
      ['zeta', 'scout.recent-items', {}, 'working'],
      [null, 'partners.ask', { target: 'partner/acme/compliance.check-text', input: {} }, 'completed'],
      [null, 'scout.recent-items', {}, 'failed'],
    ] as const) {
      const e = envelope(partner, skill, input, id);
      await tasks.create(e);
      await tasks.transition(e.id, { to: 'working' });
      if (state === 'failed')
        await tasks.transition(e.id, {
          to: 'failed',
          error: { code: 'PROVIDER_ERROR', message: '<b>model</b> down' },
        });
      else if (state === 'completed') await tasks.transition(e.id, { to: 'completed', output: {} });
    }
    // Asked of a partner this brain does not have: the gateway refused it, no partner "ghost".
    const ghost = envelope(null, 'partners.ask', {
      target: 'partner/ghost/compliance.check-text',
      input: {},
    });
    await tasks.create(ghost);
    await tasks.transition(ghost.id, { to: 'working' });
    await tasks.transition(ghost.id, {
      to: 'failed',
      error: { code: 'FORBIDDEN', message: "no partner ghost in this brain's registry" },
    });
    await ledger('acme', 'small', 1_250);
    // An attempt the budget refused: a ledger row, not a model call.
    await ledger('acme', 'small', 0, 'refused');
    await ledger('acme', 'mid', 40_000);
    await ledger('zeta', 'small', 7);
    await ledger(null, 'frontier', 900_000);
    // Log in over HTTP as a browser would.
    const form = await fetch(`${service.url}/login`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
    const res = await fetch(`${service.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: form.headers.get('set-cookie')!.split(';')[0]!,
      },
      body: new URLSearchParams({ username: 'operator', password: PASSWORD, _csrf: csrf, next: '/partners' }),
    });
    expect(res.status).toBe(303);
    session = res.headers
      .getSetCookie()
      .find((c) => c.startsWith('forge_session='))!
      .split(';')[0]!;
  }, 60_000);
  afterAll(async () => {
    await service?.stop();
    await pool?.end();
    await brain?.cleanup();
  });

  it('needs a session', async () => {
    const res = await fetch(`${service.url}/partners`, {
      redirect: 'manual',
      headers: { accept: 'text/html' },
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login?next=%2Fpartners');
  });

  it('shows each partner’s calls, errors and ledger spend, the failures with their trace, under the strict CSP', async () => {
    const res = await fetch(`${service.url}/partners`, { headers: { cookie: session } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const body = await res.text();
    expect(body).not.toMatch(/<script/);
    expect(body).toContain('<a href="/partners" aria-current="page">Partners</a>');
    const row = (partner: string) => {
      const match = new RegExp(`<tr data-partner="${partner}">([\\s\\S]*?)</tr>`).exec(body);
      expect(match, partner).not.toBeNull();
      const cells: Record<string, string> = {};
      for (const cell of match![1]!.matchAll(
        /data-field="([a-z-]+)">(?:<span data-micros="(\d+)">)?([^<]*)/g,
      ))
        cells[cell[1]!] = cell[2] ?? cell[3]!;
      return cells;
    };
    expect(row('acme')).toMatchObject({
      calls: '3',
      completed: '2',
      errors: '1',
      'error-rate': '33.3%',
      spend: '41250',
      'day-calls': '3',
      'day-spend': '41250',
      'outbound-calls': '1',
      'outbound-errors': '0',
    });
    expect(row('zeta')).toMatchObject({ calls: '1', errors: '0', 'error-rate': '–', spend: '7' });
    // Only partner work: the non-partner ledger row and the local failed task are not here.
    expect(body).toContain('<dd id="inbound-spend">$0.041257</dd>');
    expect(body).toContain('<dd id="inbound-calls">4</dd>');
    // The failed call: its skill linked, its message escaped, its trace in Jaeger.
    const failure = new RegExp(`<tr data-task="${failedId}">([\\s\\S]*?)</tr>`).exec(body)![1]!;
    expect(failure).toContain('&lt;b&gt;model&lt;/b&gt; down');
    expect(failure).toContain('http://jaeger.example:16686/search?service=forge-router&amp;tags=');
    expect(body).toContain('<a href="/tasks?skill=scout.recent-items">scout.recent-items</a>');
    expect(body.match(/<tr data-task=/g)).toHaveLength(1);
    // A target the gateway refused as no partner of ours is no partner here.
    expect(body).not.toContain('ghost');
    expect(body).toContain('<dd id="outbound-calls">1</dd>');
    // The page says which clock spend is counted by.
    expect(body).toContain('counted by when each row was written');
    // The skill's link opens the tasks page filtered to that skill.
    const filtered = await (
      await fetch(`${service.url}/tasks?skill=partners.ask`, { headers: { cookie: session } })
    ).text();
    // Both partners.ask tasks: the tasks page lists the refused one too.
    expect(filtered.match(/<tr data-task=/g)).toHaveLength(2);
    expect(filtered).toContain('partners.ask');
    expect(filtered).not.toContain('scout.recent-items');
  });

  it('shows the numbers of the shared report (the one `forge partners` prints)', async () => {
    const overview = await readPartnerOverview(pool, schema, { now: new Date() });
    const acme = overview.window.partners.find((p) => p.partner === 'acme')!;
    expect(acme.inbound).toMatchObject({ calls: 3, errors: 1, spendMicros: 41_250 });
    // The refused attempt is counted apart: small had one model call, not two.
    expect(acme.inbound.byTier.map((t) => [t.tier, t.modelCalls, t.refusedCalls, t.spendMicros])).toEqual([
      ['small', 1, 1, 1_250],
      ['mid', 1, 0, 40_000],
    ]);
    const body = await (await fetch(`${service.url}/partners`, { headers: { cookie: session } })).text();
    for (const t of acme.inbound.byTier)
      expect(body).toContain(
        `<tr data-tier="${t.tier}"><th scope="row">${t.tier}</th><td class="num" data-field="model-calls">${t.modelCalls}</td><td class="num" data-field="refused">${t.refusedCalls}</td><td class="num"><span data-micros="${t.spendMicros}">`,
      );
  });
});
