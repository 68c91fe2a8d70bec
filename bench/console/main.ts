/**
 * `pnpm bench console`: how soon each console page is interactive on a phone-class CPU. Starts the
 * console (from source) against the machine's Postgres and NATS under a brain of its own, seeds a
 * queue of `--items` approval items and 30 days of ledger rows, logs in with Chromium
 * (playwright-core, Debian's chromium) and loads every page `--runs` times with the CPU throttled
 * `--throttle`× (DevTools' CPU throttling; 4× stands for a mid phone) and unthrottled, alternating.
 * Per page: median DOM-interactive, load-end, the costs page's charts drawn, and the bytes the page
 * pulled; the baseline is the login page (no database, no script) in the same run. Ends with one
 * JSON line. A measurement, not a test: nothing here asserts.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { launchChromium, PHONE } from '@forge/e2e';
import { createConsoleService, loadConsoleConfig } from '@forge/service-console';
import { hashPassword } from '@forge/service-runtime';
import { createPool, PgApprovalRepository, schemaForBrain } from '@forge/store';
import { createLogger } from '@forge/telemetry';
import { dropBrainSchema, testDatabaseUrl, testNatsUrl, uniqueBrain } from '@forge/testkit';
import type { Page } from 'playwright-core';
import { z } from 'zod';

const Options = z.object({
  runs: z.coerce.number().int().min(1).max(50).default(7),
  throttle: z.coerce.number().min(1).max(20).default(4),
  items: z.coerce.number().int().min(0).max(500).default(25),
});
const PAGES = ['login', 'approvals', 'tasks', 'costs', 'routing', 'schedule'] as const;
type Sample = { interactiveMs: number; loadMs: number; chartsMs: number | null; bytes: number };

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : sorted[Math.floor((sorted.length - 1) / 2)]!;
};

async function measure(page: Page, url: string, costs: boolean): Promise<Sample> {
  await page.goto(url, { waitUntil: 'load' });
  if (costs) await page.waitForFunction(() => 'forgeCharts' in window);
  return page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    const charts = performance.getEntriesByName('forge:charts')[0];
    const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
    return {
      interactiveMs: nav.domInteractive,
      loadMs: nav.loadEventEnd,
      chartsMs: charts ? charts.startTime : null,
      bytes: nav.encodedBodySize + resources.reduce((n, r) => n + r.encodedBodySize, 0),
    };
  });
}

const { values } = parseArgs({
  options: { runs: { type: 'string' }, throttle: { type: 'string' }, items: { type: 'string' } },
});
const options = Options.parse(values);
const brain = uniqueBrain('bconsole');
const password = `bench-${randomUUID()}`;
const config = loadConsoleConfig({
  FORGE_BRAIN: brain,
  FORGE_PORT: '0',
  NATS_URL: testNatsUrl(),
  DATABASE_URL: testDatabaseUrl(),
  FORGE_CONSOLE_PASSWORD_HASH: await hashPassword(password),
  FORGE_LOG_LEVEL: 'silent',
});
const service = createConsoleService(config, { logger: createLogger({ name: 'bench', level: 'silent' }) });
await service.start();
const pool = createPool({ connectionString: testDatabaseUrl(), max: 2 });
const browser = await launchChromium();
try {
  const schema = schemaForBrain(brain);
  const repo = new PgApprovalRepository(pool, schema);
  for (let i = 0; i < options.items; i++) {
    const id = randomUUID();
    await repo.create({
      id,
      sourceKey: `bench:${id}`,
      status: 'pending',
      channel: 'x',
      draft: `Draft ${i}: file the METRC manifest before the truck leaves; late reporting is an audit finding.`,
      verdict: { decision: 'needs-review', policyVersion: 'bench', violations: [] },
      rulesFired: ['brand.claims'],
      originTaskId: null,
      requestedBy: 'compliance',
    });
  }
  for (let day = 0; day < 30; day++) {
    for (const [tier, cost] of [
      ['small', 20_000],
      ['mid', 150_000],
      ['frontier', 900_000],
    ] as const) {
      await pool.query(
        `insert into ${schema}.cost_ledger (task_id, attempt, call_id, seq, source, skill, agent, brain, tier,
           provider, model, offline, input_tokens, output_tokens, cache_read_tokens, cache_write_5m_tokens,
           cache_write_1h_tokens, reasoning_tokens, cost_micros, shadow_cost_micros, latency_ms, outcome, created_at)
         values ($1, 1, 1, 1, 'task', 'engagement.draft-reply', 'engagement', $2, $3, 'anthropic', 'anthropic:x',
           false, 1000, 200, 0, 0, 0, 0, $4, 0, 100, 'ok', now() - make_interval(days => $5))`,
        [randomUUID(), brain, tier, cost, day],
      );
    }
  }
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  await page.goto(`${service.url}/login`);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL(/\/approvals/), page.click('button[type=submit]')]);
  const cdp = await context.newCDPSession(page);
  const samples: Record<string, Record<'throttled' | 'full', Sample[]>> = {};
  for (let run = 0; run < options.runs; run++) {
    for (const rate of [options.throttle, 1]) {
      await cdp.send('Emulation.setCPUThrottlingRate', { rate });
      for (const name of PAGES) {
        const sample = await measure(page, `${service.url}/${name}`, name === 'costs');
        samples[name] ??= { throttled: [], full: [] };
        samples[name][rate === 1 ? 'full' : 'throttled'].push(sample);
      }
    }
  }
  const summary = Object.fromEntries(
    PAGES.map((name) => {
      const s = samples[name]!;
      const pick = (list: Sample[], key: 'interactiveMs' | 'loadMs') =>
        Math.round(median(list.map((x) => x[key])));
      const charts = s.throttled.map((x) => x.chartsMs).filter((x): x is number => x !== null);
      return [
        name,
        {
          interactiveMs: pick(s.throttled, 'interactiveMs'),
          loadMs: pick(s.throttled, 'loadMs'),
          chartsMs: charts.length ? Math.round(median(charts)) : null,
          unthrottledInteractiveMs: pick(s.full, 'interactiveMs'),
          kb: Math.round(median(s.throttled.map((x) => x.bytes)) / 1024),
        },
      ];
    }),
  );
  const login = summary.login!.interactiveMs || 1;
  console.log(`console pages, Chromium, CPU throttled ${options.throttle}x, median of ${options.runs} (ms):`);
  for (const name of PAGES) {
    const s = summary[name]!;
    console.log(
      `  ${name.padEnd(10)} interactive ${String(s.interactiveMs).padStart(5)}  load ${String(s.loadMs).padStart(5)}` +
        `${s.chartsMs === null ? '' : `  charts ${s.chartsMs}`}  unthrottled ${s.unthrottledInteractiveMs}` +
        `  ${s.kb} KB  (${(s.interactiveMs / login).toFixed(2)}x login)`,
    );
  }
  console.log(
    JSON.stringify({
      bench: 'console',
      throttle: options.throttle,
      runs: options.runs,
      items: options.items,
      pages: summary,
    }),
  );
} finally {
  await browser.close().catch(() => undefined);
  await service.stop();
  await pool.end();
  await dropBrainSchema(testDatabaseUrl(), brain);
}
