import { createHash, randomUUID } from 'node:crypto';
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
import { BlogPostInput, blogPost } from '../skills/blog-post.js';
import { contentCalendar } from '../skills/content-calendar.js';
import { dailyBriefSkill } from '../skills/reports.js';

/** A `story-surfaced` event's data, in the scout's real shape (contracts `StorySurfaced`). */
function surfaced(title: string, feedTitle: string, relevance: number, tags: string[]) {
  return {
    item: {
      hash: createHash('sha256').update(title).digest('hex'),
      title,
      link: `https://news.example/${encodeURIComponent(title)}`,
      summary: `${title}: what happened and why it matters.`,
      published: '2026-11-30T11:00:00.000Z',
      author: null,
      categories: [],
      feed: { id: feedTitle.toLowerCase().replace(/\W+/g, '-'), title: feedTitle, tags },
      firstSeenAt: '2026-11-30T11:05:00.000Z',
    },
    score: {
      relevance,
      topics: ['cannabis-ops'],
      why: `Take: ${title.toLowerCase()}.`,
      confidence: 0.8,
      model: 'offline:small',
      scoredAt: '2026-11-30T11:06:00.000Z',
    },
    threshold: 0.6,
  };
}

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
        data: surfaced('Acme launches agent POS', 'acme.example', 0.9, ['competitor']),
        tags: [],
      },
      {
        agent: 'scout',
        kind: 'story-surfaced',
        text: 'scout story',
        data: surfaced('Colorado moves METRC manifests to a 24-hour window', 'State regulator news', 0.8, [
          'news',
        ]),
        tags: [],
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

  it('takes the window end the weekly schedule sends (its tick, {{tick.iso}})', () => {
    expect(BlogPostInput.parse({ storyDays: 7, until: '2025-06-11T16:00:00.000Z' })).toMatchObject({
      storyDays: 7,
      until: '2025-06-11T16:00:00.000Z',
    });
  });

  it('writes the week’s blog post from the best surfaced stories when no topic is given', async () => {
    const { models, requests } = scriptedModelClient({
      output: {
        title: 'Acme goes after the point of sale',
        summary: 'What a competitor launch means for a licensed operator.',
        body: 'A body long enough to be a post. '.repeat(10),
      },
    });
    submitted.length = 0;
    const task = { id: randomUUID() } as SkillTask;
    const out = await blogPost(
      { storyDays: 7, until: '2026-12-01T00:00:00Z', keyPoints: [], audience: 'operators', targetWords: 900 },
      { models, signal, task },
      runtime,
    );
    expect(out.brief).toEqual({
      from: 'stories',
      topic: "What this week's news means for operators: Acme launches agent POS",
      stories: 2,
    });
    const brief = requests[0]!.messages[0]!.content as string;
    expect(brief).toContain('- Acme launches agent POS (acme.example): Take: acme launches agent pos.');
    expect(brief).toContain('- Colorado moves METRC manifests to a 24-hour window (State regulator news)');
    expect(submitted).toEqual([
      expect.objectContaining({ skill: 'compliance.gate-outbound', idempotencyKey: `gate:${task.id}` }),
    ]);
    // A week with no story and no topic is an error that says so, not an empty post.
    await expect(
      blogPost(
        {
          storyDays: 1,
          until: '2026-11-20T00:00:00Z',
          keyPoints: [],
          audience: 'operators',
          targetWords: 900,
        },
        { models, signal, task },
        runtime,
      ),
    ).rejects.toThrow(/^topic: none given, and the scout surfaced no story in the last 1 days/);
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
