import { randomUUID } from 'node:crypto';
import { isForgeError } from '@forge/contracts';
import { type TestBrain, testBrain } from '@forge/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope, quietLogger, routing } from '../test/fixtures.js';
import type { ApprovalRepository, NewApprovalItem } from './approval-repository.js';
import { InMemoryApprovalRepository } from './in-memory-approval-repository.js';
import { migrate } from './migrate.js';
import { PgApprovalRepository } from './pg-approval-repository.js';
import { createPool } from './pool.js';
import { type BudgetApproval, PgRoutingDecisionRepository } from './routing-decision-repository.js';
import { schemaForBrain } from './schema-name.js';

/** One contract, two implementations (as the task repository's suite). */
interface Harness {
  repo(): ApprovalRepository;
  queueBudget(approval: BudgetApproval): Promise<void>;
  setup(): Promise<void>;
  teardown(): Promise<void>;
}

function inMemoryHarness(): Harness {
  const repo = new InMemoryApprovalRepository();
  return {
    repo: () => repo,
    queueBudget: async (a) => repo.queueBudget(a),
    setup: async () => {},
    teardown: async () => {},
  };
}

function postgresHarness(): Harness {
  let brain: TestBrain;
  let pool: pg.Pool;
  let repo: PgApprovalRepository;
  let decisions: PgRoutingDecisionRepository;
  return {
    repo: () => repo,
    async queueBudget(a) {
      await decisions.record({
        taskId: a.taskId,
        skill: a.skill,
        agent: a.agent,
        origin: a.envelope.origin,
        critical: false,
        maxTier: 'frontier',
        decision: routing({ tier: a.tier }),
        status: 'queued',
        budget: {},
      });
      await decisions.queueForApproval(a);
    },
    async setup() {
      brain = await testBrain('approvals');
      const schema = schemaForBrain(brain.name);
      await migrate({ databaseUrl: brain.databaseUrl, schema, logger: quietLogger() });
      pool = createPool({ connectionString: brain.databaseUrl, max: 4, logger: quietLogger() });
      repo = new PgApprovalRepository(pool, schema);
      decisions = new PgRoutingDecisionRepository(pool, schema);
    },
    async teardown() {
      await pool?.end();
      await brain?.cleanup();
    },
  };
}

function newItem(overrides: Partial<NewApprovalItem> = {}): NewApprovalItem {
  return {
    id: randomUUID(),
    sourceKey: `gate:${randomUUID()}`,
    status: 'pending',
    channel: 'x',
    draft: 'Routing is the system: 16 tasks, under $500.',
    verdict: { decision: 'needs-review', policyVersion: 'p1', violations: [] },
    rulesFired: ['competitor-disparagement'],
    context: { story: { title: 'A story' } },
    originTaskId: randomUUID(),
    requestedBy: 'compliance',
    ...overrides,
  };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
  return isForgeError(error) ? error.code : String(error);
}

describe.each([
  ['InMemoryApprovalRepository', inMemoryHarness],
  ['PgApprovalRepository', postgresHarness],
])('%s (ApprovalRepository contract)', (_name, makeHarness) => {
  const harness = makeHarness();
  const repo = () => harness.repo();
  beforeAll(() => harness.setup());
  afterAll(() => harness.teardown());

  it('creates an item once per source key and reads it back', async () => {
    const item = newItem();
    const first = await repo().create(item);
    expect(first.created).toBe(true);
    expect(first.item).toMatchObject({
      id: item.id,
      kind: 'post',
      status: 'pending',
      draft: item.draft,
      text: item.draft,
      rulesFired: ['competitor-disparagement'],
      decisions: [],
      decidedBy: null,
    });
    const again = await repo().create({ ...item, id: randomUUID(), draft: 'other' });
    expect(again).toMatchObject({ created: false, item: { id: item.id, draft: item.draft } });
    expect(await repo().get(randomUUID())).toBeNull();
    expect(await repo().get('not-a-uuid')).toBeNull();
  });

  it('records an item born decided (blocked by policy) with its decision', async () => {
    const { item } = await repo().create(
      newItem({ status: 'blocked', decidedBy: 'policy', decisionReason: 'health claim' }),
    );
    expect(item).toMatchObject({ status: 'blocked', decidedBy: 'policy', decisionReason: 'health claim' });
    expect(item.decisions.map((d) => [d.action, d.actor])).toEqual([['block', 'policy']]);
  });

  it('approves, edits then approves, rejects: once each, recording who', async () => {
    const a = (await repo().create(newItem())).item;
    const approved = await repo().decide(a.id, { action: 'approve', actor: 'brad' });
    expect(approved).toMatchObject({ status: 'approved', decidedBy: 'brad', text: a.draft });
    expect(await codeOf(repo().decide(a.id, { action: 'reject', actor: 'eve', reason: 'late' }))).toBe(
      'ILLEGAL_TRANSITION',
    );

    const b = (await repo().create(newItem())).item;
    expect(await codeOf(repo().decide(b.id, { action: 'edit-approve', actor: 'brad' }))).toBe('BAD_INPUT');
    const edited = await repo().decide(b.id, {
      action: 'edit-approve',
      actor: 'brad',
      text: 'Shorter take.',
    });
    expect(edited).toMatchObject({ status: 'approved', draft: b.draft, text: 'Shorter take.' });
    expect(edited.decisions.at(-1)).toMatchObject({
      action: 'edit-approve',
      actor: 'brad',
      textBefore: b.draft,
      textAfter: 'Shorter take.',
    });

    const c = (await repo().create(newItem())).item;
    const rejected = await repo().decide(c.id, { action: 'reject', actor: 'brad', reason: 'off brand' });
    expect(rejected).toMatchObject({ status: 'rejected', decisionReason: 'off brand', text: c.draft });
    expect(await codeOf(repo().decide(randomUUID(), { action: 'approve', actor: 'x' }))).toBe('NOT_FOUND');
  });

  it('attaches a frontier review with its reasoning, kept in the history', async () => {
    const a = (await repo().create(newItem())).item;
    const review = {
      recommendation: 'edit' as const,
      summary: 'names a competitor',
      reasoning: 'Step 1: the text names Acme. Step 2: it calls them slow.',
      concerns: ['disparagement'],
      suggestedText: 'Routing is the system.',
      confidence: 0.9,
      model: 'anthropic:claude-opus-5.5',
      offline: false,
      taskId: randomUUID(),
    };
    const withReview = await repo().attachReview(a.id, review, 'compliance');
    expect(withReview.review).toEqual(review);
    expect(withReview.status).toBe('pending');
    expect(withReview.decisions.map((d) => d.action)).toEqual(['review']);
  });

  it('lists post and budget items together, newest first, filtered by status and kind', async () => {
    const env = envelope({ skill: 'marketing.write-copy' });
    await harness.queueBudget({
      taskId: env.id,
      skill: 'marketing.write-copy',
      agent: 'marketing',
      tier: 'mid',
      reason: 'queued for approval: tier mid budget spent',
      envelope: { ...env, routing: routing({ tier: 'mid' }) },
    });
    const pending = await repo().list({ status: 'pending' });
    expect(pending.some((i) => i.kind === 'budget' && i.id === env.id)).toBe(true);
    expect(pending.every((i) => i.status === 'pending')).toBe(true);
    const budget = await repo().list({ kind: 'budget' });
    expect(budget.map((i) => i.id)).toEqual([env.id]);
    expect(budget[0]).toMatchObject({
      budget: { skill: 'marketing.write-copy', tier: 'mid' },
      requestedBy: 'router',
    });
    const all = await repo().list({ limit: 500 });
    const times = all.map((i) => i.createdAt);
    expect([...times].sort().reverse()).toEqual(times);

    const decided = await repo().decideBudget(env.id, { approve: true, actor: 'brad', reason: null });
    expect(decided.item).toMatchObject({ status: 'approved', decidedBy: 'brad' });
    expect(decided.envelope.id).toBe(env.id);
    expect(await codeOf(repo().decideBudget(env.id, { approve: false, actor: 'x', reason: 'no' }))).toBe(
      'ILLEGAL_TRANSITION',
    );
  });

  it('hands out each pending item once for notification', async () => {
    const a = (await repo().create(newItem())).item;
    const unnotified = await repo().unnotified(500);
    expect(unnotified.map((i) => i.id)).toContain(a.id);
    await repo().markNotified(unnotified.map((i) => i.id));
    expect((await repo().unnotified(500)).map((i) => i.id)).not.toContain(a.id);
  });

  it('lists approved items until they are handed off', async () => {
    const a = (await repo().create(newItem())).item;
    await repo().decide(a.id, { action: 'approve', actor: 'brad' });
    const auto = (await repo().create(newItem({ status: 'approved', decidedBy: 'policy' }))).item;
    const due = await repo().pendingHandOffs(500);
    expect(due.map((d) => d.item.id)).toEqual(expect.arrayContaining([a.id, auto.id]));
    expect(due.find((d) => d.item.id === a.id)?.envelope).toBeNull();
    await repo().markHandedOff(due.map((d) => d.item.id));
    expect(await repo().pendingHandOffs(500)).toEqual([]);
  });
});
