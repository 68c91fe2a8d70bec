import { randomUUID } from 'node:crypto';
import type { SkillTask } from '@forge/agent-kit';
import { DayConfig, Late } from '@forge/day';
import {
  createPool,
  migrate,
  PgApprovalRepository,
  PgDiaryRepository,
  PgPublicationRepository,
  PgSpendRepository,
  schemaForBrain,
} from '@forge/store';
import { createLogger } from '@forge/telemetry';
import { scriptedModelClient, type TestBrain, testBrain } from '@forge/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MarketingDeps } from '../marketing-deps.js';
import { contentCalendar } from '../skills/content-calendar.js';
import { dailyBriefSkill } from '../skills/reports.js';

const logger = createLogger({ name: 'marketing-test', level: 'silent' });
const signal = new AbortController().signal;

describe('daily brief and content calendar from the brain’s data (real Postgres)', () => {
  let brain: TestBrain;
  let pool: pg.Pool;
  const runtime = new Late<MarketingDeps>('marketing');
  const submitted: unknown[] = [];

  beforeAll(async () => {
    brain = await testBrain('mkt');
    const schema = schemaForBrain(brain.name);
    await migrate({ databaseUrl: brain.databaseUrl, schema, logger });
    pool = createPool({ connectionString: brain.databaseUrl, max: 4, logger });
    const publications = new PgPublicationRepository(pool, schema);
    const diary = new PgDiaryRepository(pool, schema);
    runtime.bind({
      publications,
      spend: new PgSpendRepository(pool, schema),
      diary,
      submitter: {
        submit: async (t) => {
          submitted.push(t);
          return { taskId: randomUUID(), created: true };
        },
      },
      day: DayConfig.parse({
        version: 't',
        voice: { name: 'B', traits: ['plain'] },
        publisher: { windows: [{ timeZone: 'UTC', days: ['mon'], start: '09:00', end: '10:00' }] },
        marketing: {
          timeZone: 'UTC',
          channels: [{ channel: 'x', postsPerWeek: 3 }],
          themes: [{ id: 'routing' }],
        },
      }),
      brain: brain.name,
    });
    const approvals = new PgApprovalRepository(pool, schema);
    const { item } = await approvals.create({
      id: randomUUID(),
      sourceKey: 'gate:x',
      status: 'approved',
      channel: 'x',
      draft: 'Routing is the bill.',
      verdict: null,
      originTaskId: null,
      requestedBy: 'engagement',
      decidedBy: 'brad',
    });
    const pub = await publications.schedule({
      id: randomUUID(),
      approvalId: item.id,
      channel: 'x',
      target: 'outbox',
      body: 'Routing is the bill.',
      idempotencyKey: 'k'.repeat(32),
      dueAt: '2026-11-30T15:00:00.000Z',
    });
    await publications.claimDue(new Date('2026-11-30T15:00:01Z'), 60_000, 10);
    await publications.markPublished(pub.publication.id, { externalId: 'outbox:1', url: null });
    await pool.query(`update "forge_${brain.name}".publications set published_at = '2026-11-30T15:00:02Z'`);
    const events = [
      {
        agent: 'scout',
        kind: 'story-surfaced',
        text: 'scout story',
        data: { title: 'Acme launches agent POS', score: 0.9, source: 'acme.example', tags: ['competitor'] },
        tags: ['competitor'],
      },
      { agent: 'engagement', kind: 'take-drafted', text: 'take', data: {}, tags: [] },
      {
        agent: 'engagement',
        kind: 'mentions-triaged',
        text: 'triage',
        data: { total: 5, risks: 1, replies: 2 },
        tags: [],
      },
      {
        agent: 'compliance',
        kind: 'approval-queued',
        text: 'queued',
        data: { status: 'pending', injection: ['skip-review'] },
        tags: [],
      },
    ];
    for (const e of events) {
      await diary.observe({ id: randomUUID(), at: '2026-11-30T12:00:00Z', ...e });
    }
  });
  afterAll(async () => {
    await pool?.end();
    await brain?.cleanup();
  });

  it('fills the template from posts, engagement, approvals, spend and competitor moves, then summarises on mid', async () => {
    const { models, requests } = scriptedModelClient({
      output: { summary: 'One post went out; one injection attempt was held.' },
    });
    const skill = dailyBriefSkill(runtime);
    const out = await skill.handler({ date: '2026-11-30' }, {
      models,
      signal,
      emit: async () => {},
      task: { id: randomUUID() } as SkillTask,
    } as never);
    expect(out.markdown).toContain('1 published (x 1)');
    expect(out.markdown).toContain('5 mentions triaged, 1 brand-safety risks, 2 replies drafted');
    expect(out.markdown).toContain('1 carried instructions from outside');
    expect(out.markdown).toContain('| frontier | 0 | $0.00 |');
    expect(out.markdown).toContain('- Acme launches agent POS (acme.example)');
    expect(out.summary).toBe('One post went out; one injection attempt was held.');
    expect(requests[0]!.messages[0]!.content).toMatch(/^<report>\n# Daily brief, 2026-11-30/);
  });

  it('plans the calendar in code and takes an angle per entry from the model', async () => {
    const { models } = scriptedModelClient({
      output: { entries: [{ id: 'x-2026-12-07-1', brief: 'Angle from the Acme story' }] },
    });
    const out = await contentCalendar({ weekStart: '2026-12-07' }, { models, signal }, runtime);
    expect(out.entries).toHaveLength(3);
    expect(out.briefed).toBeLessThanOrEqual(1);
    expect(out.entries.every((e) => e.brief.length > 0)).toBe(true);
  });
});
