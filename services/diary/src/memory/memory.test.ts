import { randomUUID } from 'node:crypto';
import type { SkillTask } from '@forge/agent-kit';
import { DayConfig, Late } from '@forge/day';
import { createPool, migrate, PgDiaryRepository, schemaForBrain } from '@forge/store';
import { createLogger } from '@forge/telemetry';
import { scriptedModelClient, type TestBrain, testBrain } from '@forge/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiaryDeps } from '../diary-deps.js';
import { nightlyEntry } from '../skills/nightly-entry.js';
import { weeklySynthesis } from '../skills/weekly-synthesis.js';
import { isNotable, observationText } from './observation-text.js';

const logger = createLogger({ name: 'diary-test', level: 'silent' });
const signal = new AbortController().signal;
const emit = async () => {};

describe('observations', () => {
  it('keeps the kinds the config lists and writes one capped line per event', () => {
    expect(isNotable({ agent: 'engagement', kind: 'take-drafted' }, ['engagement.*'])).toBe(true);
    expect(isNotable({ agent: 'scout', kind: 'fetched' }, ['scout.story-surfaced'])).toBe(false);
    const text = observationText({
      v: 1,
      id: randomUUID(),
      brain: 'b',
      agent: 'compliance',
      kind: 'approval-queued',
      at: new Date().toISOString(),
      data: { status: 'pending', rules: ['profanity'], injection: ['skip-review'], junk: { a: 1 } },
    });
    expect(text).toBe(
      'compliance approval-queued: status="pending" rules="profanity" injection="skip-review"',
    );
  });
});

describe('nightly entry, weekly synthesis and recall (real Postgres)', () => {
  let brain: TestBrain;
  let pool: pg.Pool;
  let diary: PgDiaryRepository;
  const runtime = new Late<DiaryDeps>('diary');

  beforeAll(async () => {
    brain = await testBrain('diary');
    const schema = schemaForBrain(brain.name);
    await migrate({ databaseUrl: brain.databaseUrl, schema, logger });
    pool = createPool({ connectionString: brain.databaseUrl, max: 4, logger });
    diary = new PgDiaryRepository(pool, schema);
    runtime.bind({
      diary,
      day: DayConfig.parse({
        version: 't',
        voice: { name: 'B', traits: ['plain'] },
        publisher: { windows: [{ timeZone: 'UTC', days: ['mon'], start: '09:00', end: '10:00' }] },
        diary: { timeZone: 'America/Denver' },
      }),
    });
    const texts = [
      'compliance approval-queued: status="pending" rules="competitor-disparagement"',
      'scout story-surfaced: title="METRC transfer manifests due before departure"',
      'publisher post-published: channel="x" target="outbox"',
      'compliance reconciliation-flagged: status="violations" critical="1"',
    ];
    // Monday 2026-11-23, 20:00 in Denver is 03:00 UTC the next day: local dates decide the day.
    for (const [i, text] of texts.entries()) {
      await diary.observe({
        id: randomUUID(),
        agent: text.split(' ')[0]!,
        kind: text.split(' ')[1]!.replace(':', ''),
        at: new Date(Date.parse('2026-11-24T03:00:00Z') + i * 60_000).toISOString(),
        text,
      });
    }
  });
  afterAll(async () => {
    await pool?.end();
    await brain?.cleanup();
  });

  it('writes the nightly entry of a local date once, from that date’s observations', async () => {
    const task = { id: randomUUID() } as SkillTask;
    const { models, requests } = scriptedModelClient({
      output: { entry: 'A manifest story surfaced; one post went out.', highlights: ['a post published'] },
    });
    const out = await nightlyEntry({ date: '2026-11-23' }, { models, signal, task, emit }, runtime);
    expect(out).toMatchObject({ date: '2026-11-23', created: true, observations: 4 });
    expect(requests[0]!.messages[0]!.content).toContain('METRC transfer manifests');
    const again = await nightlyEntry({ date: '2026-11-23' }, { models, signal, task, emit }, runtime);
    expect(again).toMatchObject({ created: false, entryId: out.entryId });
    expect(requests).toHaveLength(1);
    const empty = await nightlyEntry({ date: '2026-11-20' }, { models, signal, task, emit }, runtime);
    expect(empty).toMatchObject({ observations: 0, model: 'code' });
    expect(requests).toHaveLength(1);
  });

  it('synthesises the week into three lessons, once, and recall finds them by full-text search', async () => {
    const task = { id: randomUUID() } as SkillTask;
    const { models } = scriptedModelClient(
      {
        output: {
          lessons: [
            {
              title: 'Report manifests before departure',
              lesson: 'File every METRC transfer manifest before the truck leaves.',
              evidence: [2, 4],
              confidence: 0.9,
            },
            {
              title: 'Competitor names need a person',
              lesson: 'Takes that name a competitor go to review.',
              evidence: [1],
              confidence: 0.8,
            },
            {
              title: 'Outbox first',
              lesson: 'Publish through the outbox until the channel is proven.',
              evidence: [3],
              confidence: 0.6,
            },
          ],
        },
      },
      { tier: 'frontier' },
    );
    const out = await weeklySynthesis(
      { weekStart: '2026-11-23', focus: 'ops' },
      { models, signal, task, emit },
      runtime,
    );
    expect(out).toMatchObject({ created: true, skipped: null, observations: 4 });
    expect(out.lessons).toHaveLength(3);
    const again = await weeklySynthesis(
      { weekStart: '2026-11-23', focus: 'ops' },
      { models, signal, task, emit },
      runtime,
    );
    expect(again).toMatchObject({ created: false, entryId: out.entryId });
    expect(again.lessons).toHaveLength(3);
    const found = await diary.recall('metrc transfer manifest deadline', 2);
    expect(found[0]!.title).toBe('Report manifests before departure');
    expect(found.every((l) => l.rank > 0)).toBe(true);
    expect(await diary.recall('zebra giraffe', 3)).toEqual([]);
  });

  it('skips a week with too few observations, without a model call', async () => {
    const { models, requests } = scriptedModelClient({ output: {} });
    const out = await weeklySynthesis(
      { weekStart: '2026-11-09', focus: 'ops' },
      { models, signal, task: { id: randomUUID() } as SkillTask, emit },
      runtime,
    );
    expect(out.skipped).toMatch(/0 observations/);
    expect(requests).toHaveLength(0);
  });
});
