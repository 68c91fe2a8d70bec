import { randomUUID } from 'node:crypto';
import { DayConfig, Late } from '@forge/day';
import {
  createPool,
  migrate,
  PgApprovalRepository,
  PgPublicationRepository,
  schemaForBrain,
} from '@forge/store';
import { createLogger } from '@forge/telemetry';
import { type TestBrain, testBrain } from '@forge/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxChannel } from './channels/outbox-channel.js';
import { publishDuePosts } from './publish-due-posts.js';
import type { PublisherDeps } from './publisher-deps.js';
import { publicationKey, scheduleApproved } from './skills/schedule-approved.js';

const logger = createLogger({ name: 'publisher-test', level: 'silent' });
const ctx = { logger, emit: async () => {} };

describe('publishing exactly once (real Postgres)', () => {
  let brain: TestBrain;
  let pool: pg.Pool;
  let deps: PublisherDeps;
  const runtime = new Late<PublisherDeps>('publisher');

  beforeAll(async () => {
    brain = await testBrain('publish');
    const schema = schemaForBrain(brain.name);
    await migrate({ databaseUrl: brain.databaseUrl, schema, logger });
    pool = createPool({ connectionString: brain.databaseUrl, max: 6, logger });
    const publications = new PgPublicationRepository(pool, schema);
    deps = {
      approvals: new PgApprovalRepository(pool, schema),
      publications,
      channel: new OutboxChannel(publications),
      day: DayConfig.parse({
        version: 't',
        voice: { name: 'B', traits: ['plain'] },
        publisher: {
          windows: [
            {
              timeZone: 'UTC',
              days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
              start: '00:00',
              end: '24:00',
            },
          ],
          minSpacingMinutes: 0,
          leaseMs: 1000,
        },
      }),
    };
    runtime.bind(deps);
  });
  afterAll(async () => {
    await pool?.end();
    await brain?.cleanup();
  });

  async function approved(text = `Take ${randomUUID()}`) {
    const { item } = await deps.approvals.create({
      id: randomUUID(),
      sourceKey: `gate:${randomUUID()}`,
      status: 'pending',
      channel: 'x',
      draft: text,
      verdict: null,
      originTaskId: null,
      requestedBy: 'engagement',
    });
    return deps.approvals.decide(item.id, { action: 'approve', actor: 'brad' });
  }

  async function outboxCount(approvalId: string): Promise<number> {
    const { rows } = await pool.query(
      `select count(*)::int as n from "forge_${brain.name}".outbox_posts where idempotency_key = $1`,
      [publicationKey(approvalId)],
    );
    return rows[0].n;
  }

  it('schedules once per approval and publishes a post that is due at once', async () => {
    const item = await approved();
    const past = new Date(Date.now() - 60_000).toISOString();
    const first = await scheduleApproved({ approvalId: item.id, notBefore: past }, ctx, runtime);
    expect(first).toMatchObject({ created: true, status: 'published', target: 'outbox' });
    // The hand-off redelivered: the same publication, nothing posted again.
    const again = await scheduleApproved({ approvalId: item.id, notBefore: past }, ctx, runtime);
    expect(again).toMatchObject({ created: false, publicationId: first.publicationId, status: 'published' });
    expect(await outboxCount(item.id)).toBe(1);
  });

  it('finds the next slot in the windows when no time is named, and never schedules an unapproved item', async () => {
    const item = await approved();
    const out = await scheduleApproved({ approvalId: item.id }, ctx, runtime);
    expect(Date.parse(out.dueAt)).toBeGreaterThanOrEqual(Date.now() - 1000);
    const { item: pending } = await deps.approvals.create({
      id: randomUUID(),
      sourceKey: `gate:${randomUUID()}`,
      status: 'pending',
      channel: 'x',
      draft: 'not yet',
      verdict: null,
      originTaskId: null,
      requestedBy: 'engagement',
    });
    await expect(scheduleApproved({ approvalId: pending.id }, ctx, runtime)).rejects.toMatchObject({
      code: 'ILLEGAL_TRANSITION',
    });
    expect(await deps.publications.byApproval(pending.id)).toBeNull();
  });

  it('two publishers running at once post each due publication once', async () => {
    const items = await Promise.all([approved(), approved(), approved()]);
    for (const item of items) {
      await deps.publications.schedule({
        id: randomUUID(),
        approvalId: item.id,
        channel: 'x',
        target: 'outbox',
        body: item.text!,
        idempotencyKey: publicationKey(item.id),
        dueAt: new Date(Date.now() - 1000).toISOString(),
      });
    }
    const [a, b] = await Promise.all([
      publishDuePosts(deps, { now: new Date(), limit: 50, logger }),
      publishDuePosts(deps, { now: new Date(), limit: 50, logger }),
    ]);
    const published = [...a, ...b].filter((o) => items.some((i) => i.id === o.approvalId));
    expect(published.map((o) => o.status)).toEqual(['published', 'published', 'published']);
    for (const item of items) expect(await outboxCount(item.id)).toBe(1);
  });

  it('a publisher that crashed after posting and before recording it: the retry posts nothing new', async () => {
    const item = await approved();
    await deps.publications.schedule({
      id: randomUUID(),
      approvalId: item.id,
      channel: 'x',
      target: 'outbox',
      body: item.text!,
      idempotencyKey: publicationKey(item.id),
      dueAt: new Date(Date.now() - 1000).toISOString(),
    });
    // The first publisher claims it and posts, then dies before markPublished.
    const [claimed] = (await deps.publications.claimDue(new Date(), 1000, 50)).filter(
      (p) => p.approvalId === item.id,
    );
    await deps.channel.publish(claimed!);
    // Nobody else may take it while the lease holds.
    expect(
      (await publishDuePosts(deps, { now: new Date(), limit: 50, logger })).map((o) => o.approvalId),
    ).not.toContain(item.id);
    // After the lease, the next run claims it again, posts with the same key, and records it.
    const later = await publishDuePosts(deps, { now: new Date(Date.now() + 5_000), limit: 50, logger });
    expect(later.find((o) => o.approvalId === item.id)).toMatchObject({ status: 'published' });
    expect(await outboxCount(item.id)).toBe(1);
    const stored = await deps.publications.byApproval(item.id);
    expect(stored).toMatchObject({ status: 'published', attempts: 2 });
  });
});
