import { Bus } from '@forge/bus';
import { TaskEnvelope } from '@forge/contracts';
import { type TestBrain, testBrain } from '@forge/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KEYS,
  message,
  type RunCounts,
  rpc,
  startInstance,
  testAgent,
  waitForTask,
} from '../test-support/test-agent.js';
import type { AgentService } from './agent-service.js';

type TaskJson = {
  id: string;
  status: { state: string; message?: { parts?: { text?: string }[] } };
  metadata?: Record<string, unknown>;
};
const taskOf = (body: { result?: unknown }) => (body.result as { task: TaskJson }).task;
const statusText = (task: TaskJson) => task.status.message?.parts?.[0]?.text;

describe('agent service: task lifecycle across instances', () => {
  let brain: TestBrain;
  let a: AgentService;
  let b: AgentService;
  let runs: RunCounts;

  beforeAll(async () => {
    brain = await testBrain('kitlife');
    const made = testAgent();
    runs = made.runs;
    // concurrency 1, so a task can be made to wait in `submitted` behind another.
    a = await startInstance(made.agent, brain, { concurrency: 1, maxDeliver: 2, backoffMs: [100] });
    b = await startInstance(made.agent, brain, { concurrency: 1, maxDeliver: 2, backoffMs: [100] });
  });

  afterAll(async () => {
    await Promise.allSettled([a?.stop(), b?.stop()]);
    await brain?.cleanup();
  });

  it('cancels a working task through the worker that holds it, from another instance', async () => {
    const sent = await rpc(a, 'SendMessage', {
      message: message('slow', { ms: 8_000 }),
      configuration: { returnImmediately: true },
    });
    const { id } = taskOf(sent.body);
    await waitForTask(a, id, (t) => t.status?.state === 'TASK_STATE_WORKING');
    const started = Date.now();
    const canceled = await rpc(b, 'CancelTask', { id });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(canceled.body.result).toMatchObject({ id, status: { state: 'TASK_STATE_CANCELED' } });
    expect(statusText(canceled.body.result as TaskJson)).toBe('canceled by alice');
    const again = await rpc(a, 'CancelTask', { id });
    expect(again.body.result).toMatchObject({ status: { state: 'TASK_STATE_CANCELED' } });
    // Its slot is free again: a new task runs at once on either instance.
    const next = await rpc(a, 'SendMessage', { message: message('echo', { text: 'after cancel' }) });
    expect(taskOf(next.body).status.state).toBe('TASK_STATE_COMPLETED');
  });

  it('cancels a task nobody runs yet at the edge; the worker that gets it later skips it', async () => {
    const busy = [a, b].map(() =>
      rpc(a, 'SendMessage', {
        message: message('slow', { ms: 700 }),
        configuration: { returnImmediately: true },
      }),
    );
    const holders = (await Promise.all(busy)).map((r) => taskOf(r.body).id);
    for (const id of holders) await waitForTask(a, id, (t) => t.status?.state === 'TASK_STATE_WORKING');
    const queued = await rpc(a, 'SendMessage', {
      message: message('echo', { text: 'never runs' }),
      configuration: { returnImmediately: true },
    });
    const { id } = taskOf(queued.body);
    const before = runs.echo;
    const canceled = await rpc(b, 'CancelTask', { id });
    expect(canceled.body.result).toMatchObject({ status: { state: 'TASK_STATE_CANCELED' } });
    for (const holder of holders)
      await waitForTask(a, holder, (t) => t.status?.state === 'TASK_STATE_COMPLETED');
    // Both workers are free and the queued message was delivered: it must not have run.
    await rpc(a, 'SendMessage', { message: message('slow', { ms: 1 }) });
    expect(runs.echo).toBe(before);
    expect((await rpc(a, 'GetTask', { id })).body.result).toMatchObject({
      status: { state: 'TASK_STATE_CANCELED' },
    });
  });

  it('refuses to cancel a task that already ended', async () => {
    const done = await rpc(a, 'SendMessage', { message: message('echo', { text: 'done' }) });
    const refused = await rpc(b, 'CancelTask', { id: taskOf(done.body).id });
    expect(refused.body.error?.code).toBe(-32002);
  });

  it('fails a task for good on a non-retryable error, and after maxDeliver on a retryable one', async () => {
    const failed = await rpc(a, 'SendMessage', { message: message('fail', {}) });
    const task = taskOf(failed.body);
    expect(task.status.state).toBe('TASK_STATE_FAILED');
    // A fault of a provider shows the table's message and an error id; the detail is in the log.
    expect(task.metadata?.error).toEqual({
      code: 'PROVIDER_ERROR',
      message: expect.stringMatching(
        /^the model provider failed; try again later \(error id [0-9a-f]{16}\)$/,
      ),
    });
    expect(runs.fail).toBe(1);

    const flaky = await rpc(b, 'SendMessage', { message: message('flaky', {}) });
    const flakyTask = taskOf(flaky.body);
    expect(flakyTask.status.state).toBe('TASK_STATE_FAILED');
    expect(statusText(flakyTask)).toMatch(
      /^gave up after 2 attempts: the service is unavailable; try again later \(error id [0-9a-f]{16}\)$/,
    );
    expect(flakyTask.metadata).toMatchObject({ attempt: 2, error: { code: 'UNAVAILABLE' } });
    expect(runs.flaky).toBe(2);
  });

  it('ends in input-required, and resumes when the caller answers', async () => {
    const asked = await rpc(a, 'SendMessage', { message: message('ask', {}) });
    const task = taskOf(asked.body);
    expect(task.status.state).toBe('TASK_STATE_INPUT_REQUIRED');
    expect(statusText(task)).toBe('a person must approve this');

    const answer = { ...message('ask', { approved: true }), taskId: task.id };
    const resumed = await rpc(b, 'SendMessage', { message: answer });
    expect(taskOf(resumed.body)).toMatchObject({ id: task.id, status: { state: 'TASK_STATE_COMPLETED' } });
    expect(taskOf(resumed.body).metadata).toMatchObject({ attempt: 2 });
    // The same answer again is the same call: nothing new runs.
    const runsBefore = runs.ask;
    const repeated = await rpc(a, 'SendMessage', { message: answer });
    expect(taskOf(repeated.body).status.state).toBe('TASK_STATE_COMPLETED');
    expect(runs.ask).toBe(runsBefore);
    // Someone else cannot answer it.
    const intruder = await rpc(
      a,
      'SendMessage',
      { message: { ...answer, messageId: crypto.randomUUID() } },
      KEYS.bob,
    );
    expect(intruder.body.error?.code).toBe(-32001);
  });

  it('runs an envelope published by another service (no row yet), and fails one past its deadline', async () => {
    const bus = await Bus.connect({ servers: brain.natsUrl, name: 'kit-test-publisher', brain: brain.name });
    try {
      const envelope = (input: unknown, extra: Partial<TaskEnvelope> = {}): TaskEnvelope => ({
        v: 1,
        id: crypto.randomUUID(),
        skill: 'tester.echo',
        input,
        origin: { kind: 'schedule', brain: brain.name, by: 'alice' },
        idempotencyKey: `schedule:${crypto.randomUUID()}`,
        contextId: crypto.randomUUID(),
        createdAt: new Date().toISOString(),
        ...extra,
      });
      const fresh = envelope({ text: 'from the scheduler' });
      const late = envelope({ text: 'too late' }, { deadline: new Date(Date.now() - 1_000).toISOString() });
      for (const e of [fresh, late])
        await bus.publish(bus.subjects.taskRun('tester'), TaskEnvelope, e, { msgId: e.id });
      const ran = await waitForTask(a, fresh.id, (t) => t.status?.state === 'TASK_STATE_COMPLETED');
      expect(ran.artifacts).toHaveLength(1);
      const expired = await waitForTask(b, late.id, (t) => t.status?.state === 'TASK_STATE_FAILED');
      expect(expired.metadata).toMatchObject({ error: { code: 'DEADLINE_EXCEEDED' } });
    } finally {
      await bus.drain();
    }
  });
});
