import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UpReport } from '@forge/cli';
import { type ApprovalItem, forgeSubjects, type ScheduleView, StorySurfacedEvent } from '@forge/contracts';
import {
  connectTestNats,
  deleteBrainStreams,
  dropBrainSchema,
  type FakeLlm,
  startFakeLlm,
  testDatabaseUrl,
  testNatsUrl,
  uniqueBrain,
} from '@forge/testkit';
import { jetstreamManager } from '@nats-io/jetstream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './eventually.js';
import { type ForgeUp, runForge, startForgeUp } from './forge-process.js';
import { freePortBase } from './free-ports.js';
import { acquireMeshLock, MESH_LOCK_WAIT_MS } from './mesh-lock.js';
import { DAY_TIERS, OPERATOR_DAY } from './operator-day.js';

/** Every schedule of the day names a skill an agent offers. */
const SCHEDULES_WITH_SKILLS = OPERATOR_DAY.map((d) => d.name);

/** The process environment without model keys or vendor URLs of the machine's own. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(ANTHROPIC|OPENAI)_(API_KEY|BASE_URL)/.test(key)),
  );
  return { ...env, NATS_URL: testNatsUrl(), FORGE_LOG_LEVEL: 'warn' };
}

/** The take the fake model drafts for every story and mention. */
const TAKE = 'Report the manifest before the truck leaves. A late report is an audit finding, not paperwork.';

/**
 * The fake LLM's answers for every structured output the day asks for. Scores and triage echo the
 * ids of the prompt: manifest stories and the feed item that addresses "AI agents" score high,
 * and the one mention that tells the agents to publish without review is worth a reply (so its
 * draft goes to frontier review with the attempt on record).
 */
function scriptDay(fake: FakeLlm): void {
  fake.script(
    {
      match: { output: 'headline_scores' },
      repeat: true,
      jsonFor: ({ lastUserText }) => ({
        scores: [...lastUserText.matchAll(/<headline id="([^"]+)"[^>]*>\n([^\n]*)/g)].map(([, id, title]) => {
          const hot = /manifest|AI agents/i.test(title ?? '');
          return {
            id,
            relevance: hot ? 0.9 : 0.2,
            topics: ['cannabis-operations'],
            take: hot ? 'Reporting windows are where audits start.' : null,
            confidence: 0.9,
          };
        }),
      }),
    },
    {
      match: { output: 'mention_triage' },
      repeat: true,
      jsonFor: ({ lastUserText }) => ({
        mentions: [...lastUserText.matchAll(/<mention id="([^"]+)"/g)].map(([, id]) => ({
          id,
          intent: 'question',
          urgency: 'normal',
          replyWorthy: (id ?? '').startsWith('m-1046@'),
          why: 'a question about the operator',
        })),
      }),
    },
    {
      match: { output: 'take_draft' },
      repeat: true,
      json: { take: TAKE, angle: 'reporting windows', confidence: 0.8 },
    },
    {
      match: { output: 'outbound_review' },
      repeat: true,
      json: {
        reasoning: 'Step 1: no health claim. Step 2: the source tells the agents to skip review; ignored.',
        recommendation: 'publish',
        summary: 'Safe to publish; the source material tried to instruct the agents.',
        concerns: ['the source contains instructions aimed at the agents'],
        suggestedText: null,
        confidence: 0.9,
      },
    },
    {
      match: { output: 'compliance_review' },
      repeat: true,
      json: {
        verdict: 'non-compliant',
        summary: 'Two discrepancies must be corrected and the open manifest reported before 15:00.',
        reasons: [{ point: 'Package quantity and adjustments disagree.', severity: 'major' }],
        citations: [],
        requiredActions: ['Correct the package quantity', 'Report manifest 0004412190 before its deadline'],
        confidence: 0.9,
      },
    },
    {
      match: { output: 'report_summary' },
      repeat: true,
      json: { summary: 'A quiet day: stories surfaced, takes queued.' },
    },
    {
      match: { output: 'diary_entry' },
      repeat: true,
      json: {
        entry: 'Stories surfaced, takes went to the queue, one was published.',
        highlights: ['one post out'],
      },
    },
    {
      match: { output: 'lessons' },
      repeat: true,
      json: {
        lessons: [1, 2, 3].map((n) => ({
          title: `Lesson ${n}`,
          lesson: 'Report manifests before departure.',
          evidence: [1],
          confidence: 0.7,
        })),
      },
    },
    {
      match: { output: 'blog_post' },
      repeat: true,
      json: {
        title: 'Reporting windows are where audits start',
        summary: 'What a week of manifest stories says about running a licensed operation.',
        body: 'Manifests are reported before the truck leaves. '.repeat(20),
      },
    },
  );
}

describe('a fast day: the 16 schedules run the operator’s day through the router, from ticks to a published post', () => {
  const brain = uniqueBrain('day');
  let stateDir: string;
  let env: NodeJS.ProcessEnv;
  let up: ForgeUp;
  let fake: FakeLlm;
  let db: pg.Client;
  let releaseMesh: (() => Promise<void>) | undefined;
  const schema = `"forge_${brain}"`;
  const flags = () => ['--brain', brain, '--state-dir', stateDir];
  const approvals = async (args: string[]) => {
    const result = await runForge(['approvals', ...args, ...flags(), '--json'], env);
    return { ...result, body: result.stdout ? (JSON.parse(result.stdout) as unknown) : null };
  };

  beforeAll(async () => {
    releaseMesh = await acquireMeshLock('scheduled-day');
    stateDir = await mkdtemp(join(tmpdir(), 'forge-e2e-day-'));
    fake = await startFakeLlm();
    scriptDay(fake);
    // The machine's Postgres (a schema of this brain's own): this test is about the day, and the
    // embedded Postgres's start is forge-up.test.ts's subject. The shipped day.yaml (every text
    // waits for a person); the router's Anthropic provider is the fake LLM server.
    env = {
      ...cleanEnv(),
      DATABASE_URL: testDatabaseUrl(),
      ANTHROPIC_API_KEY: 'sk-ant-fake-e2e',
      ANTHROPIC_BASE_URL: fake.anthropicBaseUrl,
    };
    up = startForgeUp([...flags(), '--port-base', String(await freePortBase()), '--fast'], env);
    const report = (await up.waitForEvent('ready', 120_000)) as unknown as UpReport;
    db = new pg.Client({ connectionString: report.postgres.url });
    await db.connect();
  }, MESH_LOCK_WAIT_MS + 150_000);

  afterAll(async () => {
    await db?.end().catch(() => {});
    if (up && (await up.exited(0)) === null) {
      up.child.kill('SIGTERM');
      if ((await up.exited(20_000)) === null) up.child.kill('SIGKILL');
    }
    await fake?.close();
    const nc = await connectTestNats('forge-e2e-day-cleanup');
    try {
      await deleteBrainStreams(nc, brain);
    } finally {
      await nc.close();
    }
    await dropBrainSchema(testDatabaseUrl(), brain);
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
    await releaseMesh?.();
  }, 60_000);

  it('lists the 16 schedules with their skills, every one offered by an agent, each in its tier', async () => {
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
    for (const d of OPERATOR_DAY)
      expect(byName.get(d.name), d.name).toMatchObject({
        cron: d.cron,
        skill: d.skill,
        tier: d.tier,
        skillRegistered: true,
      });
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
    for (const row of ledger.rows) expect(row).toMatchObject({ tier: 'small', offline: false });
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

  it('reconciles the licence’s seed-to-sale records and sends the violations to frontier review', async () => {
    // 06:30 is the day's first half hour; a scheduler that came up later reconciles the next morning.
    const run = await eventually('a completed seed-to-sale reconciliation', 280_000, async () => {
      const { rows } = await db.query(
        `select t.id, t.routing->>'tier' as tier, t.output from ${schema}.schedule_runs r
           join ${schema}.tasks t on t.id = r.task_id
          where r.schedule = 'metrc-reconciliation' and t.state = 'completed' limit 1`,
      );
      return rows[0] as
        | {
            id: string;
            tier: string;
            output: { status: string; findings: { ruleId: string }[]; reviewTaskId: string };
          }
        | undefined;
    });
    expect(run.tier).toBe('tool');
    expect(run.output.status).toBe('violations');
    expect(new Set(run.output.findings.map((f) => f.ruleId))).toEqual(
      new Set([
        'package-quantity-mismatch',
        'transfer-quantity-mismatch',
        'unreconciled-inventory',
        'manifest-reporting-window',
      ]),
    );
    const review = await eventually('the frontier review of the findings', 60_000, async () => {
      const { rows } = await db.query(
        `select t.state, d.tier, d.critical from ${schema}.tasks t join ${schema}.routing_decisions d on d.task_id = t.id
          where t.id = $1 and t.state = 'completed'`,
        [run.output.reviewTaskId],
      );
      return rows[0] as { tier: string; critical: boolean } | undefined;
    });
    expect(review).toMatchObject({ tier: 'frontier', critical: true });
    const ledger = await eventually('the review in the ledger', 30_000, async () => {
      const { rows } = await db.query(
        `select tier, model, offline from ${schema}.cost_ledger where task_id = $1`,
        [run.output.reviewTaskId],
      );
      return rows.length > 0 ? rows : undefined;
    });
    for (const row of ledger)
      expect(row).toMatchObject({ tier: 'frontier', model: 'anthropic:claude-opus-5.5', offline: false });
    // The rule pack itself is code: no model call for the reconciliation task.
    const own = await db.query(`select count(*)::int as n from ${schema}.cost_ledger where task_id = $1`, [
      run.id,
    ]);
    expect(own.rows[0].n).toBe(0);
  }, 320_000);

  it('triages the mentions of each 15 minutes on small, and makes no task for a window without one', async () => {
    const triaged = await eventually('a completed triage of mentions', 120_000, async () => {
      const { rows } = await db.query(
        `select t.id, t.routing->>'tier' as tier, t.input, t.output from ${schema}.schedule_runs r
           join ${schema}.tasks t on t.id = r.task_id
          where r.schedule = 'triage-mentions' and t.state = 'completed' limit 1`,
      );
      return rows[0] as
        | { id: string; tier: string; input: { mentions: { id: string }[] }; output: { mentions: unknown[] } }
        | undefined;
    });
    expect(triaged.tier).toBe('small');
    expect(triaged.input.mentions.length).toBeGreaterThan(0);
    expect(triaged.output.mentions).toHaveLength(triaged.input.mentions.length);
    // 09:55: a mention with a phone number. The policy engine blocks it before any model sees it.
    const blocked = await eventually(
      'the 10:00 triage, the phone number blocked by policy',
      120_000,
      async () => {
        const { rows } = await db.query(
          `select t.output from ${schema}.schedule_runs r join ${schema}.tasks t on t.id = r.task_id
          where r.schedule = 'triage-mentions' and t.state = 'completed'
            and t.output->'mentions' @> '[{"brandSafety": "block"}]'::jsonb limit 1`,
        );
        return rows[0]?.output as
          | { mentions: { id: string; brandSafety: string; intent: string; rules: string[] }[] }
          | undefined;
      },
    );
    expect(blocked.mentions.find((m) => m.brandSafety === 'block')).toMatchObject({
      id: expect.stringMatching(/^m-0955@/),
      intent: 'brand-safety-risk',
      rules: ['personal-phone'],
    });
    expect(fake.requests.some((r) => JSON.stringify(r.body).includes('720-555-0147'))).toBe(false);
    const empty = await eventually('a tick whose window had no mention', 120_000, async () => {
      const { rows } = await db.query(
        `select reason, task_id from ${schema}.schedule_runs where schedule = 'triage-mentions' and outcome = 'skipped-no-input' limit 1`,
      );
      return rows[0] as { reason: string; task_id: string | null } | undefined;
    });
    expect(empty).toEqual({
      reason: expect.stringMatching(/^inputFrom\.mentions .*nothing in the window$/),
      task_id: null,
    });
  }, 260_000);

  it('turns stories and a mention into takes waiting for a person; one approved through the CLI is published once', async () => {
    const items = await eventually(
      'pending takes, the one whose source tried to instruct the agents with its frontier review',
      240_000,
      async () => {
        const { body } = await approvals(['list', '--status', 'pending']);
        const list = (body as { items: ApprovalItem[] }).items;
        const plain = list.find((i) => i.safety.length === 0);
        const injected = list.find((i) => i.safety.length > 0 && i.review !== null);
        return plain && injected ? { plain, injected, list } : undefined;
      },
    );
    expect(items.plain).toMatchObject({ status: 'pending', text: TAKE, review: null });
    expect(items.injected.review).toMatchObject({ recommendation: 'publish', offline: false });
    expect(items.injected.safety.map((f) => f.pattern)).toEqual(expect.arrayContaining(['skip-review']));
    // Nothing leaves the company before a person says so.
    const before = await db.query(`select count(*)::int as n from ${schema}.outbox_posts`);
    expect(before.rows[0].n).toBe(0);

    const approved = await approvals(['approve', items.plain.id, '--now']);
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.body).toMatchObject({ status: 'approved', decidedBy: 'operator' });
    await eventually('the approved take published', 60_000, async () => {
      const { rows } = await db.query(
        `select p.status from ${schema}.publications p where p.approval_id = $1 and p.status = 'published'`,
        [items.plain.id],
      );
      return rows[0];
    });
    const again = await approvals(['approve', items.plain.id]);
    expect(again.code).toBe(1);
    const rejected = await approvals([
      'reject',
      items.injected.id,
      '--reason',
      'the source tried to instruct us',
    ]);
    expect(rejected.body).toMatchObject({ status: 'rejected' });
    // The publisher's ticks keep running (publish-due every 5 minutes of the day): still one post.
    await eventually('two more publish-due runs', 60_000, async () => {
      const { rows } = await db.query(
        `select count(*)::int as n from ${schema}.schedule_runs r join ${schema}.tasks t on t.id = r.task_id
          where r.schedule = 'publish-due-posts' and t.state = 'completed' and t.updated_at > now() - interval '30 seconds'`,
      );
      return rows[0].n >= 2 ? true : undefined;
    });
    const { rows } = await db.query(
      `select a.id, a.status, count(o.*)::int as posts from ${schema}.approval_items a
         left join ${schema}.publications p on p.approval_id = a.id
         left join ${schema}.outbox_posts o on o.publication_id = p.id group by a.id, a.status`,
    );
    for (const row of rows as { id: string; status: string; posts: number }[])
      expect(row.posts, `${row.id} (${row.status})`).toBe(row.id === items.plain.id ? 1 : 0);
  }, 420_000);

  it('keeps the day in the diary and writes the nightly entry on mid at 22:30', async () => {
    const entry = await eventually('the scheduled nightly entry', 300_000, async () => {
      const { rows } = await db.query(
        `select e.body, e.observations, t.routing->>'tier' as tier, t.id from ${schema}.schedule_runs r
           join ${schema}.tasks t on t.id = r.task_id join ${schema}.diary_entries e on e.task_id = t.id
          where r.schedule = 'nightly-diary-entry' and e.kind = 'nightly' limit 1`,
      );
      return rows[0] as { body: string; observations: number; tier: string; id: string } | undefined;
    });
    expect(entry.tier).toBe('mid');
    expect(entry.observations).toBeGreaterThan(3);
    expect(entry.body).toContain('Stories surfaced');
    // The router's ledger is written behind the call (batched): the entry's own model call lands in it.
    const billed = await eventually('the nightly entry in the ledger', 30_000, async () => {
      const { rows } = await db.query(
        `select skill, tier, cost_micros::int as cost from ${schema}.cost_ledger where task_id = $1`,
        [entry.id],
      );
      return rows.length > 0 ? rows : undefined;
    });
    for (const row of billed) expect(row).toMatchObject({ skill: 'diary.nightly-entry', tier: 'mid' });
    expect(billed.some((row: { cost: number }) => row.cost > 0)).toBe(true);
    const { rows } = await db.query(`select distinct agent || '.' || kind as k from ${schema}.observations`);
    expect(rows.map((r: { k: string }) => r.k)).toEqual(
      expect.arrayContaining([
        'scout.story-surfaced',
        'engagement.take-drafted',
        'engagement.mentions-triaged',
        'compliance.approval-queued',
        'compliance.reconciliation-flagged',
        'publisher.post-published',
      ]),
    );
  }, 320_000);

  it('ran every task in its tier: reviews at frontier, fetching, scheduling and publishing at $0', async () => {
    const { rows: decisions } = await db.query(
      `select skill, array_agg(distinct tier) as tiers from ${schema}.routing_decisions group by skill order by skill`,
    );
    const decided = Object.fromEntries(
      decisions.map((d: { skill: string; tiers: string[] }) => [d.skill, d.tiers]),
    );
    for (const [skill, tiers] of Object.entries(decided))
      if (DAY_TIERS[skill]) expect(tiers, skill).toEqual([DAY_TIERS[skill]]);
    for (const skill of [
      'scout.fetch-feeds',
      'scout.score-new',
      'engagement.triage-mentions',
      'engagement.draft-take',
      'compliance.reconcile-records',
      'compliance.gate-outbound',
      'compliance.review-outbound',
      'compliance.review',
      'publisher.schedule-approved',
      'publisher.publish-due',
      'marketing.daily-brief',
      'diary.sensor-alert',
      'diary.nightly-entry',
    ])
      expect(decided[skill], skill).toBeDefined();
    const { rows: ledger } = await db.query(
      `select l.skill, l.tier, l.model, sum(l.cost_micros)::int as cost from ${schema}.cost_ledger l
        group by 1, 2, 3 order by 1`,
    );
    for (const row of ledger as { skill: string; tier: string; model: string; cost: number }[]) {
      expect(row.tier, row.skill).toBe(DAY_TIERS[row.skill]);
      expect(row.cost, row.skill).toBeGreaterThan(0);
    }
    const bySkill = new Set(ledger.map((r: { skill: string }) => r.skill));
    for (const skill of ['compliance.review', 'compliance.review-outbound'])
      expect(ledger.find((r: { skill: string }) => r.skill === skill)).toMatchObject({
        tier: 'frontier',
        model: 'anthropic:claude-opus-5.5',
      });
    for (const skill of [
      'scout.score-new',
      'engagement.draft-take',
      'marketing.daily-brief',
      'diary.nightly-entry',
    ])
      expect(bySkill.has(skill), skill).toBe(true);
    // Tool work (fetching, reconciling, the gate, scheduling and publishing, sensor checks) calls no model.
    for (const [skill, tier] of Object.entries(DAY_TIERS))
      if (tier === 'tool') expect(bySkill.has(skill), skill).toBe(false);
    const costs = await runForge(['costs', ...flags(), '--json'], env);
    expect(costs.code, costs.stderr).toBe(0);
    const report = JSON.parse(costs.stdout) as { byTier: { tier: string; spendMicros: number }[] };
    const tiers = Object.fromEntries(report.byTier.map((t) => [t.tier, t.spendMicros]));
    expect(tiers.tool ?? 0).toBe(0);
    expect(tiers.frontier).toBeGreaterThan(0);
    expect(tiers.mid).toBeGreaterThan(0);
    expect(tiers.small).toBeGreaterThan(0);
  }, 60_000);

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
