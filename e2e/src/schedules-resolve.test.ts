import { type AgentDefinition, skillManifests } from '@forge/agent-kit';
import { describeIssues } from '@forge/contracts';
import { loadRoutingConfigFile } from '@forge/policy';
import { complianceAgent, ReconcileRecordsInput, reconcileRecords } from '@forge/service-compliance';
import { type DayServer, DEFAULT_DAY_DIR, startDayServer } from '@forge/service-day';
import { diaryAgent } from '@forge/service-diary';
import { engagementAgent } from '@forge/service-engagement';
import { marketingAgent } from '@forge/service-marketing';
import { publisherAgent } from '@forge/service-publisher';
import { DEFAULT_ROUTING_CONFIG_PATH } from '@forge/service-router';
import {
  buildTickInput,
  DEFAULT_SCHEDULES_PATH,
  loadSchedules,
  type Schedule,
  type Schedules,
  SkillCatalog,
} from '@forge/service-scheduler';
import { scoutAgent } from '@forge/service-scout';
import { createPool, migrate, PgSkillRegistry, schemaForBrain } from '@forge/store';
import { createLogger } from '@forge/telemetry';
import { type TestBrain, testBrain } from '@forge/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR_DAY } from './operator-day.js';

const AGENTS: AgentDefinition[] = [
  scoutAgent,
  complianceAgent,
  engagementAgent,
  publisherAgent,
  marketingAgent,
  diaryAgent,
];

/** Tuesday 2025-06-10, 09:50 in Denver: the day the ticks below are taken from. */
const BASE = new Date('2025-06-10T15:50:00Z');
const DENVER = 'America/Denver';

describe('the 16 schedules of the operator’s day resolve to registered skills with valid input', () => {
  let brain: TestBrain;
  let pool: pg.Pool;
  let catalog: SkillCatalog;
  let day: DayServer;
  let dayNow = BASE.getTime();
  let schedules: Schedules;
  const logger = createLogger({ name: 'schedules-resolve', level: 'silent' });

  /** The input the scheduler builds for `schedule`'s first tick after `after`, the day clock at the tick. */
  async function tickInput(schedule: Schedule, after = BASE) {
    const tickAt = schedule.cronSchedule.nextAfter(after)!;
    dayNow = tickAt.getTime() + 2_000;
    return { tickAt, built: await buildTickInput(schedule, tickAt) };
  }

  beforeAll(async () => {
    brain = await testBrain('sched');
    const schema = schemaForBrain(brain.name);
    await migrate({ databaseUrl: brain.databaseUrl, schema, logger });
    pool = createPool({ connectionString: brain.databaseUrl, max: 2, logger });
    // What every agent registers when it starts, in the real registry the scheduler reads.
    const registry = new PgSkillRegistry(pool, schema);
    await registry.register(AGENTS.flatMap((agent) => skillManifests(agent)));
    catalog = new SkillCatalog(registry);
    day = await startDayServer({
      host: '127.0.0.1',
      port: 0,
      dir: DEFAULT_DAY_DIR,
      timeZone: DENVER,
      clock: { speed: 1, now: () => dayNow },
      logger,
    });
    schedules = await loadSchedules(DEFAULT_SCHEDULES_PATH, { FORGE_DAY_URL: day.url });
  });
  afterAll(async () => {
    await day?.close();
    await pool?.end();
    await brain?.cleanup();
  });

  it('are the 16 of the seed, each with its cron, skill, and the tier its route gives', async () => {
    const routing = await loadRoutingConfigFile(DEFAULT_ROUTING_CONFIG_PATH);
    expect(schedules.list.map((s) => [s.name, s.cron, s.skill, routing.routes[s.skill]?.tier])).toEqual(
      OPERATOR_DAY.map((d) => [d.name, d.cron, d.skill, d.tier]),
    );
    // The reconciliation's violations go to compliance review, which never runs below frontier.
    expect(routing.routes['compliance.review']).toMatchObject({ tier: 'frontier', critical: true });
  });

  it('name a skill an agent registers, and the input each tick builds passes that skill’s schema', async () => {
    const skills = new Map<string, AgentDefinition['skills'][number]>(
      AGENTS.flatMap((a) => a.skills.map((s) => [`${a.name}.${s.id}`, s] as const)),
    );
    const problems: string[] = [];
    for (const schedule of schedules.list) {
      const manifest = await catalog.get(schedule.skill);
      if (!manifest) {
        problems.push(`${schedule.name}: ${schedule.skill} is not in the registry`);
        continue;
      }
      expect(manifest.agent).toBe(schedule.skill.split('.')[0]);
      // The triage ticks at 10:00; the 09:45-10:00 window holds a mention.
      const { built } = await tickInput(schedule);
      if ('nothing' in built) {
        problems.push(`${schedule.name}: ${built.nothing}`);
        continue;
      }
      const parsed = skills.get(schedule.skill)!.input.safeParse(built.input);
      if (!parsed.success) problems.push(`${schedule.name}: ${describeIssues(parsed.error).join('; ')}`);
    }
    expect(problems).toEqual([]);
  });

  it('reconciles the shipped seed-to-sale records: the deliberate problems fire, then frontier review', async () => {
    const { built } = await tickInput(schedules.byName.get('metrc-reconciliation')!);
    if (!('input' in built)) throw new Error('no input');
    const input = ReconcileRecordsInput.parse(built.input);
    expect(input).toMatchObject({ jurisdiction: 'US-CO', review: 'violations' });
    const out = reconcileRecords(input);
    expect(out.status).toBe('violations');
    expect(out.asOf).toBe('2025-06-11T12:30:02.000Z'); // 06:30:02 in Denver, the tick
    expect(out.findings.map((f) => [f.ruleId, f.severity, f.subject])).toEqual([
      ['package-quantity-mismatch', 'major', '1A4060300000000000000102'],
      ['transfer-quantity-mismatch', 'major', '1A4060300000000000000105'],
      ['unreconciled-inventory', 'major', '1A4060300000000000000102'],
      ['unreconciled-inventory', 'major', '1A4060300000000000000105'],
      // Today's manifest, unreported, due at 15:00: 8.5 h left at 06:30.
      ['manifest-reporting-window', 'warning', '0004412190'],
    ]);
  });

  it('checks only the manifest window during the day: a warning before its deadline, critical after', async () => {
    const schedule = schedules.byName.get('manifest-window-check')!;
    const check = async (after: Date) => {
      const { built } = await tickInput(schedule, after);
      if (!('input' in built)) throw new Error('no input');
      return reconcileRecords(ReconcileRecordsInput.parse(built.input));
    };
    const morning = await check(BASE); // the 10:00 check: 5 h left, inside the 6 h warning
    expect(morning.rulesRun).toEqual(['manifest-reporting-window', 'transfer-without-manifest']);
    expect(morning.findings).toEqual([
      expect.objectContaining({
        ruleId: 'manifest-reporting-window',
        severity: 'warning',
        subject: '0004412190',
      }),
    ]);
    const { built } = await tickInput(schedule);
    expect('input' in built && ReconcileRecordsInput.parse(built.input).review).toBe('never');
    const afternoon = await check(new Date('2025-06-10T21:30:00Z')); // the 16:00 check: 1 h past
    expect(afternoon.findings).toEqual([
      expect.objectContaining({ ruleId: 'manifest-reporting-window', severity: 'critical' }),
    ]);
  });

  it('triages the mentions of the 15 minutes up to each tick, and makes no task for an empty window', async () => {
    const schedule = schedules.byName.get('triage-mentions')!;
    const { built } = await tickInput(schedule);
    expect(built).toEqual({
      input: {
        mentions: [
          {
            id: 'm-0955@2025-06-10',
            author: '@angry_customer_22',
            channel: 'x',
            text: expect.stringContaining('720-555-0147'),
            at: '2025-06-10T15:55:00.000Z',
          },
        ],
      },
    });
    // 12:45-13:00: nobody wrote.
    const empty = await tickInput(schedule, new Date('2025-06-10T18:50:00Z'));
    expect(empty.built).toEqual({
      nothing: expect.stringMatching(/^inputFrom\.mentions .*\/mentions: nothing/),
    });
  });

  it('gives the reports and the diary the dates of their tick', async () => {
    const input = async (name: string) => {
      const { built } = await tickInput(schedules.byName.get(name)!);
      return 'input' in built ? built.input : null;
    };
    expect(await input('marketing-daily-brief')).toEqual({ date: '2025-06-10' }); // Wed 07:00: Tuesday
    expect(await input('marketing-weekly-report')).toEqual({ weekStart: '2025-06-09' }); // Fri 13th
    expect(await input('nightly-diary-entry')).toEqual({ date: '2025-06-10' });
    expect(await input('weekly-lessons')).toEqual({ weekStart: '2025-06-09' }); // Sun 15th, 21:00
    // Wed 10:00 in Denver: the stories of the week up to the tick, the same on a retried run.
    expect(await input('weekly-blog-post')).toEqual({ storyDays: 7, until: '2025-06-11T16:00:00.000Z' });
  });
});
