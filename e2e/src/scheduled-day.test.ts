import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UpReport } from '@forge/cli';
import { forgeSubjects, type ScheduleView, StorySurfacedEvent } from '@forge/contracts';
import {
  connectTestNats,
  deleteBrainStreams,
  dropBrainSchema,
  testDatabaseUrl,
  testNatsUrl,
  uniqueBrain,
} from '@forge/testkit';
import { jetstreamManager } from '@nats-io/jetstream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ForgeUp, runForge, startForgeUp } from './forge-process.js';
import { freePortBase } from './free-ports.js';

/** The schedules whose skills the scout and the diary (and marketing's plan-week) offer today. */
const SCHEDULES_WITH_SKILLS = [
  'fetch-news-feeds',
  'fetch-competitor-feeds',
  'score-new-stories',
  'plan-content-week',
  'sensor-alerts-flower-room',
  'sensor-alerts-veg-room',
  'weekly-cultivation-report',
];

function offlineEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(ANTHROPIC|OPENAI)_(API_KEY|BASE_URL)/.test(key)),
  );
  return { ...env, NATS_URL: testNatsUrl(), FORGE_LOG_LEVEL: 'warn' };
}

/** Polls `check` until it returns a value, for at most `timeoutMs` (bounded waits on a loaded machine). */
async function eventually<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe('a fast day: the scheduler ticks the scout through the router against the offline day', () => {
  const brain = uniqueBrain('day');
  let stateDir: string;
  let env: NodeJS.ProcessEnv;
  let up: ForgeUp;
  let db: pg.Client;
  const schema = `"forge_${brain}"`;
  const flags = () => ['--brain', brain, '--state-dir', stateDir];

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'forge-e2e-day-'));
    // The machine's Postgres (a schema of this brain's own): this test is about the day, and the
    // embedded Postgres's start is forge-up.test.ts's subject.
    env = { ...offlineEnv(), DATABASE_URL: testDatabaseUrl() };
    up = startForgeUp([...flags(), '--port-base', String(await freePortBase()), '--fast'], env);
    const report = (await up.waitForEvent('ready', 120_000)) as unknown as UpReport;
    db = new pg.Client({ connectionString: report.postgres.url });
    await db.connect();
  }, 150_000);

  afterAll(async () => {
    await db?.end().catch(() => {});
    if (up && (await up.exited(0)) === null) {
      up.child.kill('SIGTERM');
      if ((await up.exited(20_000)) === null) up.child.kill('SIGKILL');
    }
    const nc = await connectTestNats('forge-e2e-day-cleanup');
    try {
      await deleteBrainStreams(nc, brain);
    } finally {
      await nc.close();
    }
    await dropBrainSchema(testDatabaseUrl(), brain);
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  }, 60_000);

  it('lists the 16 schedules with their skills, the ones no agent offers yet marked missing', async () => {
    const schedules = await eventually('every shipped skill registered', 30_000, async () => {
      const result = await runForge(['schedule', 'list', ...flags(), '--json'], env);
      expect(result.code, result.stderr).toBe(0);
      const reply = JSON.parse(result.stdout) as { clock: string; schedules: ScheduleView[] };
      expect(reply.clock).toBe('fast ×360');
      const registered = reply.schedules.filter((s) => SCHEDULES_WITH_SKILLS.includes(s.name));
      return registered.every((s) => s.skillRegistered) ? reply.schedules : undefined;
    });
    expect(schedules).toHaveLength(16);
    const byName = new Map(schedules.map((s) => [s.name, s]));
    expect(byName.get('fetch-news-feeds')).toMatchObject({
      cron: '*/30 * * * *',
      skill: 'scout.fetch-feeds',
      tier: 'tool',
    });
    expect(byName.get('score-new-stories')).toMatchObject({ skill: 'scout.score-new', tier: 'small' });
    for (const s of schedules) expect(s.nextRunAt === null).toBe(s.paused);
    const human = await runForge(['schedule', 'list', ...flags()], env);
    expect(human.stdout).toMatch(/^fetch-news-feeds +\*\/30 \* \* \* \* +scout\.fetch-feeds +tool /m);
  }, 60_000);

  it('fetches the day’s feeds at $0, scores the new stories at small, and surfaces the best to engagement', async () => {
    const fetched = await eventually('a completed fetch of the news feeds', 90_000, async () => {
      const { rows } = await db.query(
        `select r.task_id, t.routing->>'tier' as tier, t.origin from ${schema}.schedule_runs r
           join ${schema}.tasks t on t.id = r.task_id
          where r.schedule = 'fetch-news-feeds' and t.state = 'completed' limit 1`,
      );
      return rows[0] as { task_id: string; tier: string; origin: { kind: string; by: string } } | undefined;
    });
    expect(fetched).toMatchObject({
      tier: 'tool',
      origin: { kind: 'schedule', by: 'schedule:fetch-news-feeds' },
    });
    const items = await db.query(
      `select count(*)::int as n, count(distinct hash)::int as distinct from ${schema}.scout_items`,
    );
    expect(items.rows[0].n).toBeGreaterThan(10);
    expect(items.rows[0].distinct).toBe(items.rows[0].n);
    // Conditional GET works against the day server: later fetches of an unchanged feed get 304.
    await eventually('a 304 from the day server', 60_000, async () => {
      const { rows } = await db.query(
        `select count(*)::int as n from ${schema}.scout_feeds where last_status = 304`,
      );
      return rows[0].n > 0 ? true : undefined;
    });

    const scored = await eventually('a completed scoring run', 90_000, async () => {
      const { rows } = await db.query(
        `select t.id, t.routing->>'tier' as tier from ${schema}.schedule_runs r join ${schema}.tasks t on t.id = r.task_id
          where r.schedule = 'score-new-stories' and t.state = 'completed' and (t.output->>'scored')::int > 0 limit 1`,
      );
      return rows[0] as { id: string; tier: string } | undefined;
    });
    expect(scored.tier).toBe('small');
    const ledger = await db.query(
      `select tier, offline, cost_micros::int as cost from ${schema}.cost_ledger where task_id = $1`,
      [scored.id],
    );
    expect(ledger.rows.length).toBeGreaterThan(0);
    for (const row of ledger.rows) expect(row).toMatchObject({ tier: 'small', offline: true, cost: 0 });
    // Fetching and scheduling never call a model: no ledger row for any fetch task.
    const fetchCalls = await db.query(
      `select count(*)::int as n from ${schema}.cost_ledger l join ${schema}.tasks t on t.id = l.task_id
        where t.skill = 'scout.fetch-feeds'`,
    );
    expect(fetchCalls.rows[0].n).toBe(0);

    const surfaced = await eventually('a story-surfaced event', 60_000, async () => {
      const nc = await connectTestNats('forge-e2e-day-events');
      try {
        const jsm = await jetstreamManager(nc);
        const subjects = forgeSubjects(brain);
        const message = await jsm.streams
          .getMessage(subjects.streams.events.name, { last_by_subj: subjects.storySurfaced })
          .catch(() => null);
        return message ? StorySurfacedEvent.parse(message.json()) : undefined;
      } finally {
        await nc.close();
      }
    });
    expect(surfaced.data.score.relevance).toBeGreaterThanOrEqual(surfaced.data.threshold);
    expect(surfaced.data.item.feed.tags.length).toBeGreaterThan(0);
    const marked = await db.query(`select surfaced_at from ${schema}.scout_items where hash = $1`, [
      surfaced.data.item.hash,
    ]);
    expect(marked.rows[0].surfaced_at).not.toBeNull();
  }, 240_000);

  it('pauses, runs by hand and resumes a schedule from the CLI', async () => {
    const paused = await runForge(
      ['schedule', 'pause', 'fetch-competitor-feeds', '--reason', 'e2e', ...flags()],
      env,
    );
    expect(paused.code, paused.stderr).toBe(0);
    expect(paused.stdout).toMatch(/fetch-competitor-feeds: paused by operator/);
    const run = await eventually('a manual run submitted', 30_000, async () => {
      const result = await runForge(['schedule', 'run', 'fetch-competitor-feeds', ...flags(), '--json'], env);
      const reply = JSON.parse(result.stdout) as {
        run: { trigger: string; outcome: string; taskId: string | null };
      };
      // A tick's run may still be going: a manual run does not double it either.
      if (reply.run.outcome === 'skipped-overlap') return undefined;
      expect(result.code, result.stderr).toBe(0);
      return reply.run;
    });
    expect(run).toMatchObject({ trigger: 'manual', outcome: 'submitted' });
    const task = await db.query(`select origin, skill from ${schema}.tasks where id = $1`, [run.taskId]);
    expect(task.rows[0]).toMatchObject({ skill: 'scout.fetch-feeds', origin: { kind: 'schedule' } });
    const resumed = await runForge(
      ['schedule', 'resume', 'fetch-competitor-feeds', ...flags(), '--json'],
      env,
    );
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ op: 'resume', schedule: { paused: false } });
    const unknown = await runForge(['schedule', 'run', 'no-such-schedule', ...flags()], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no schedule "no-such-schedule"; known: fetch-news-feeds/);
  }, 60_000);

  it('records each tick of a schedule once', async () => {
    const { rows } = await db.query(
      `select schedule, tick_at, count(*)::int as n from ${schema}.schedule_runs where trigger <> 'manual'
        group by 1, 2 having count(*) > 1`,
    );
    expect(rows).toEqual([]);
    const tasks = await db.query(
      `select count(*)::int as n, count(distinct idempotency_key)::int as keys from ${schema}.tasks where origin->>'kind' = 'schedule'`,
    );
    expect(tasks.rows[0].n).toBe(tasks.rows[0].keys);
    expect(tasks.rows[0].n).toBeGreaterThan(5);
  });
});
