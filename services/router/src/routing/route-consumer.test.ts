import { randomUUID } from 'node:crypto';
import type { TaskConsumer } from '@forge/bus';
import { StatusEvent, TaskEnvelope } from '@forge/contracts';
import { budgetPeriod } from '@forge/store';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness, testRoutingConfig, waitFor } from '../../test/harness.js';

let h: Harness;
const forwarded = new Map<string, Array<{ task: TaskEnvelope; msgId: string | undefined }>>();
const consumers: TaskConsumer[] = [];

const ROUTES = {
  'scout.score': { tier: 'small' as const },
  'feeds.parse': { tier: 'tool' as const },
};
const BUDGETS = {
  perAgent: {
    compliance: { usd: 1, onExhausted: 'downgrade' as const },
    feeds: { usd: 1, onExhausted: 'queue' as const },
    diary: { usd: 1, onExhausted: 'reject' as const },
    marketing: { usd: 1, onExhausted: 'queue' as const },
  },
};

beforeAll(async () => {
  h = await startHarness({ config: await testRoutingConfig({ routes: ROUTES, budgets: BUDGETS }) });
  // Stand-ins for the agents: durable consumers on their run subjects, collecting what arrives.
  for (const agent of ['scout', 'feeds', 'compliance', 'diary', 'marketing']) {
    const consumer = h.bus.consumer({
      stream: h.bus.subjects.streams.tasks.name,
      durable: h.bus.subjects.consumers.agent(agent),
      filterSubject: h.bus.subjects.taskRun(agent),
      schema: TaskEnvelope,
      concurrency: 4,
      handler: async (task, ctx) => {
        const list = forwarded.get(task.id) ?? [];
        list.push({ task, msgId: ctx.headers['Nats-Msg-Id'] });
        forwarded.set(task.id, list);
      },
    });
    await consumer.start();
    consumers.push(consumer);
  }
});

afterAll(async () => {
  await Promise.allSettled(consumers.map((c) => c.stop(100)));
  await h?.close();
});

/** Submits a task as an agent's edge does: task row, then `task.route`. */
async function submit(task: TaskEnvelope, msgId = `route:${task.id}:${randomUUID()}`): Promise<string> {
  await h.bus.publish(h.bus.subjects.taskRoute, TaskEnvelope, task, { msgId });
  return msgId;
}

/** Waits until the router has taken and acked everything on `task.route`. */
async function routerIdle(): Promise<void> {
  const jsm = await jetstreamManager(h.bus.nc);
  await waitFor(
    async () => {
      const info = await jsm.consumers.info(
        h.bus.subjects.streams.tasks.name,
        h.bus.subjects.consumers.router,
      );
      return info.num_pending === 0 && info.num_ack_pending === 0;
    },
    5_000,
    'the router to ack every routing message',
  );
}

/** Spends an agent's whole month so its budget is exhausted. */
async function exhaust(agent: string, usd: number): Promise<void> {
  const id = randomUUID();
  const micros = Math.round(usd * 1_000_000);
  const scope = `agent:${agent}`;
  await h.budgets.admit({
    reservationId: id,
    period: budgetPeriod(),
    scopes: [{ scope, capMicros: null }],
    amountMicros: micros,
    ttlMs: 60_000,
  });
  await h.budgets.settle([{ reservationId: id, actualMicros: micros }]);
}

describe('route consumer', () => {
  it('stamps the decision, records it, and forwards the task once to its agent', async () => {
    const task = await h.task({ skill: 'scout.score', tierHint: 'mid' });
    const msgId = await submit(task);
    await waitFor(() => forwarded.has(task.id), 5_000, 'the forwarded task');
    const [arrived] = forwarded.get(task.id)!;
    expect(arrived?.msgId).toBe(`run:${msgId}`);
    expect(arrived?.task.routing).toMatchObject({
      tier: 'small',
      model: 'anthropic:claude-haiku-5.5',
      policyVersion: 'test-1',
    });
    expect(arrived?.task.routing?.reasons[0]).toBe('base: route in config says small');
    const stored = await h.tasks.get(task.id);
    expect(stored?.routing).toEqual(arrived?.task.routing);
    const decision = await h.decisions.get(task.id);
    expect(decision).toMatchObject({
      status: 'routed',
      agent: 'scout',
      critical: false,
      decision: arrived?.task.routing,
    });
    expect(decision?.budget).toMatchObject({ policyVersion: 'test-1', action: 'none' });
  });

  it('drops an envelope whose row can never be made (its idempotency key names another task) and keeps no decision for it', async () => {
    const original = await h.task({ skill: 'scout.score' });
    // The same caller's key on another task id with no row: an edge insert lost in a crash.
    const duplicate: TaskEnvelope = { ...original, id: randomUUID() };
    await submit(duplicate);
    await routerIdle();
    expect(await h.tasks.get(duplicate.id)).toBeNull();
    expect(forwarded.has(duplicate.id)).toBe(false);
    expect(await h.decisions.get(duplicate.id)).toBeNull();
    const { rows } = await h.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "${h.schema}".routing_decisions WHERE task_id = $1`,
      [duplicate.id],
    );
    expect(rows[0]?.n).toBe(0);
    // The original itself is routed as ever.
    await submit(original);
    await waitFor(() => forwarded.has(original.id), 5_000, 'the original forwarded');
  });

  it('forwards every message of a task, a follow-up within the duplicate window included', async () => {
    const task = await h.task({ skill: 'scout.score' });
    const publish = (messageId: string) =>
      h.bus.publish(h.bus.subjects.taskRoute, TaskEnvelope, task, { msgId: `${task.id}:${messageId}` });
    await publish('first');
    await waitFor(() => forwarded.get(task.id)?.length === 1, 5_000, 'the first run');
    // The caller answers the task (input-required) seconds later: a second message of the task.
    await publish('follow-up');
    await waitFor(() => forwarded.get(task.id)?.length === 2, 5_000, 'the follow-up run');
    // The same message again (a re-publish of it) is stored once, on both hops.
    await publish('follow-up');
    await routerIdle();
    expect(forwarded.get(task.id)?.map((f) => f.msgId)).toEqual([
      `run:${task.id}:first`,
      `run:${task.id}:follow-up`,
    ]);
  });

  it('reuses the stored decision for a task it sees again, even after the config changed', async () => {
    const task = await h.task({ skill: 'scout.score' });
    const msgId = await submit(task);
    await waitFor(() => forwarded.has(task.id), 5_000, 'the first forward');
    const first = forwarded.get(task.id)![0]!.task.routing;
    await h.writeConfig(
      await testRoutingConfig({
        routes: { ...ROUTES, 'scout.score': { tier: 'frontier' } },
        budgets: BUDGETS,
      }),
    );
    expect(await h.router.reload()).toBe(true);
    try {
      // The same routing message again (a redelivery, or a re-publish of it): the forward carries
      // the same msgId, so JetStream keeps it once.
      await submit(task, msgId);
      await routerIdle();
      expect((await h.decisions.get(task.id))?.decision).toEqual(first);
      expect((await h.tasks.get(task.id))?.routing).toEqual(first);
      expect(forwarded.get(task.id)).toHaveLength(1);
      // Another message of the task: routed with the stored decision, forwarded under its own msgId.
      await submit(task);
      await waitFor(() => forwarded.get(task.id)?.length === 2, 5_000, 'the second message');
      expect(forwarded.get(task.id)![1]!.task.routing).toEqual(first);
    } finally {
      await h.writeConfig(await testRoutingConfig({ routes: ROUTES, budgets: BUDGETS }));
      await h.router.reload();
    }
  });

  it('rejects a task of an unknown skill, with the reason, and tells listeners', async () => {
    const task = await h.task({ skill: 'scout.score' }, { skill: 'ghost.haunt' });
    const events: StatusEvent[] = [];
    const sub = h.bus.subscribe(h.bus.subjects.status(task.id), StatusEvent, (event) => events.push(event));
    await h.bus.nc.flush();
    await submit(task);
    await waitFor(() => events.length > 0, 5_000, 'the status event');
    sub.unsubscribe();
    expect(events[0]).toMatchObject({ state: 'rejected', error: { code: 'UNKNOWN_SKILL' } });
    const stored = await h.tasks.get(task.id);
    expect(stored).toMatchObject({ state: 'rejected', error: { code: 'UNKNOWN_SKILL' } });
    expect(stored?.error?.message).toMatch(/unknown skill ghost\.haunt/);
    expect(forwarded.has(task.id)).toBe(false);
  });

  it('keeps a critical skill at frontier with its budget exhausted: held for approval, never downgraded', async () => {
    await exhaust('compliance', 1);
    const task = await h.task({ skill: 'compliance.review', tierHint: 'small', critical: true });
    await submit(task);
    await routerIdle();
    const decision = await h.decisions.get(task.id);
    expect(decision).toMatchObject({
      status: 'queued',
      critical: true,
      decision: { tier: 'frontier', model: 'anthropic:claude-opus-5.5' },
    });
    expect(decision?.decision.reasons.at(-1)).toMatch(/^critical floor: frontier/);
    expect(await h.decisions.approval(task.id)).toMatchObject({ status: 'pending', tier: 'frontier' });
    expect(forwarded.has(task.id)).toBe(false);
  });

  it('never blocks a tool task, whatever its budget', async () => {
    await exhaust('feeds', 1);
    const task = await h.task({ skill: 'feeds.parse', tierHint: 'tool' });
    await submit(task);
    await waitFor(() => forwarded.has(task.id), 5_000, 'the tool task');
    expect(forwarded.get(task.id)![0]!.task.routing).toMatchObject({ tier: 'tool', model: null });
  });

  it('rejects a task whose budget says reject when exhausted', async () => {
    await exhaust('diary', 1);
    const task = await h.task({ skill: 'diary.synthesize', tierHint: 'frontier' });
    await submit(task);
    await routerIdle();
    expect(await h.tasks.get(task.id)).toMatchObject({
      state: 'rejected',
      error: { code: 'BUDGET_EXHAUSTED' },
    });
    expect((await h.decisions.get(task.id))?.status).toBe('rejected');
  });

  it('holds a task for approval when its budget says queue, and says so in its status', async () => {
    await exhaust('marketing', 1);
    const task = await h.task({ skill: 'marketing.write-copy', tierHint: 'mid' });
    const events: StatusEvent[] = [];
    const sub = h.bus.subscribe(h.bus.subjects.status(task.id), StatusEvent, (event) => events.push(event));
    await h.bus.nc.flush();
    await submit(task);
    await waitFor(() => events.length > 0, 5_000, 'the status event');
    sub.unsubscribe();
    expect(events[0]?.state).toBe('submitted');
    expect(events[0]?.message).toMatch(/^queued for approval: .*budget agent marketing 100% used/);
    const stored = await h.tasks.get(task.id);
    expect(stored?.state).toBe('submitted');
    expect(stored?.a2a.metadata).toMatchObject({ approval: { status: 'pending' } });
    const approval = await h.decisions.approval(task.id);
    expect(approval).toMatchObject({ status: 'pending', agent: 'marketing', envelope: { id: task.id } });
    expect(forwarded.has(task.id)).toBe(false);
  });

  describe('a task whose row is missing and whose key another task holds (the caller retried first)', () => {
    /** Task B holds key K (durably); A's envelope carries K but A's row was lost. */
    async function retriedFirst(manifest: Parameters<Harness['task']>[0], skill?: string) {
      const b = await h.task(manifest);
      const a: TaskEnvelope = { ...b, id: randomUUID(), ...(skill ? { skill } : {}) };
      expect(await h.tasks.get(a.id)).toBeNull();
      return { a, b, before: await h.tasks.get(b.id) };
    }

    async function deadLetters(): Promise<number> {
      const jsm = await jetstreamManager(h.bus.nc);
      return (await jsm.streams.info(h.bus.subjects.streams.deadLetter.name)).state.messages;
    }

    it('acks and drops the routing message; B is untouched and nothing is dead-lettered', async () => {
      const dead = await deadLetters();
      const { a, b, before } = await retriedFirst({ skill: 'scout.score' });
      await submit(a);
      await routerIdle();
      expect(await h.tasks.get(a.id)).toBeNull();
      expect(forwarded.has(a.id)).toBe(false);
      expect(forwarded.has(b.id)).toBe(false);
      expect(await h.tasks.get(b.id)).toEqual(before);
      expect(await deadLetters()).toBe(dead);
    });

    it('drops it on the reject path too, and never rejects B', async () => {
      const dead = await deadLetters();
      const { a, b, before } = await retriedFirst({ skill: 'scout.score' }, 'ghost.haunt');
      await submit(a);
      await routerIdle();
      expect(await h.tasks.get(a.id)).toBeNull();
      expect(await h.tasks.get(b.id)).toEqual(before);
      expect(await deadLetters()).toBe(dead);
    });

    it('drops it on the approval path too: no approval row for A, B untouched', async () => {
      await exhaust('marketing', 1);
      const dead = await deadLetters();
      const { a, b, before } = await retriedFirst({ skill: 'marketing.write-copy', tierHint: 'mid' });
      await submit(a);
      await routerIdle();
      expect(await h.tasks.get(a.id)).toBeNull();
      expect(await h.decisions.approval(a.id)).toBeNull();
      expect(await h.tasks.get(b.id)).toEqual(before);
      expect(await deadLetters()).toBe(dead);
    });
  });
});
