import { AgentCard, type Task, TaskState } from '@a2a-js/sdk';
import {
  ClientFactory,
  ClientFactoryOptions,
  JsonRpcTransportFactory,
  RestTransportFactory,
} from '@a2a-js/sdk/client';
import { createPool, PgSkillRegistry, schemaForBrain } from '@forge/store';
import { type TestBrain, testBrain } from '@forge/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skillMessage } from '../skills/skill-message.js';
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

function authedFetch(key: string): typeof fetch {
  return (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set('authorization', `Bearer ${key}`);
    return fetch(input, { ...init, headers });
  };
}

function clientFactory(key: string, preferred: 'JSONRPC' | 'HTTP+JSON' = 'JSONRPC') {
  return new ClientFactory(
    ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
      transports: [
        new JsonRpcTransportFactory({ fetchImpl: authedFetch(key) }),
        new RestTransportFactory({ fetchImpl: authedFetch(key) }),
      ],
      preferredTransports: [preferred],
    }),
  );
}

describe('agent service: the A2A edge', () => {
  let brain: TestBrain;
  let a: AgentService;
  let b: AgentService;
  let runs: RunCounts;

  beforeAll(async () => {
    brain = await testBrain('kit');
    const made = testAgent();
    runs = made.runs;
    a = await startInstance(made.agent, brain);
    b = await startInstance(made.agent, brain);
  });

  afterAll(async () => {
    await Promise.allSettled([a?.stop(), b?.stop()]);
    await brain?.cleanup();
  });

  it('serves a valid v1.0 card listing the skills, and a v0.3 card to legacy clients', async () => {
    const res = await fetch(`${a.url}/.well-known/agent-card.json`, { headers: { 'A2A-Version': '1.0' } });
    expect(res.status).toBe(200);
    const json = (await res.json()) as Record<string, unknown>;
    const card = AgentCard.fromJSON(json);
    expect(card.name).toBe('tester');
    expect(card.version).toBe('1.2.3');
    expect(card.capabilities).toMatchObject({ streaming: true, pushNotifications: false });
    expect(card.skills.map((s) => s.id)).toEqual([
      'tester.echo',
      'tester.slow',
      'tester.fail',
      'tester.flaky',
      'tester.ask',
    ]);
    expect(card.skills.find((s) => s.id === 'tester.fail')?.tags).toEqual(['tier:mid', 'critical']);
    expect(card.supportedInterfaces).toContainEqual(
      expect.objectContaining({
        url: `${a.url}/a2a/jsonrpc`,
        protocolBinding: 'JSONRPC',
        protocolVersion: '1.0',
      }),
    );
    expect(card.supportedInterfaces).toContainEqual(
      expect.objectContaining({
        url: `${a.url}/a2a/rest`,
        protocolBinding: 'HTTP+JSON',
        protocolVersion: '1.0',
      }),
    );
    // Protobuf JSON: the scheme is named by its oneof field, and survives a round trip.
    expect(json.securitySchemes).toMatchObject({
      forgeBearer: { httpAuthSecurityScheme: { scheme: 'Bearer' } },
    });
    expect(AgentCard.toJSON(card)).toEqual(json);

    const legacy = (await (
      await fetch(`${a.url}/.well-known/agent-card.json`, { headers: { 'A2A-Version': '0.3' } })
    ).json()) as Record<string, unknown>;
    expect(legacy).toMatchObject({
      protocolVersion: '0.3',
      url: `${a.url}/a2a/jsonrpc`,
      preferredTransport: 'JSONRPC',
    });
    expect(legacy.securitySchemes).toMatchObject({
      forgeApiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
    });
  });

  it('registers every skill manifest in Postgres at start', async () => {
    const pool = createPool({ connectionString: brain.databaseUrl, max: 1 });
    try {
      const manifests = await new PgSkillRegistry(pool, schemaForBrain(brain.name)).list();
      expect(manifests.map((m) => [m.skill, m.tierHint, m.critical])).toEqual([
        ['tester.ask', 'frontier', false],
        ['tester.echo', 'tool', false],
        ['tester.fail', 'mid', true],
        ['tester.flaky', 'small', false],
        ['tester.slow', 'small', false],
      ]);
      expect(manifests.find((m) => m.skill === 'tester.echo')?.inputSchema).toMatchObject({
        type: 'object',
        required: ['text'],
      });
    } finally {
      await pool.end();
    }
  });

  it('runs a skill end to end through the SDK client (JSON-RPC and HTTP+JSON)', async () => {
    for (const transport of ['JSONRPC', 'HTTP+JSON'] as const) {
      const client = await clientFactory(KEYS.alice, transport).createFromUrl(a.url);
      const result = (await client.sendMessage({
        tenant: '',
        message: skillMessage({ skill: 'echo', input: { text: `hello ${transport}` } }),
        configuration: undefined,
        metadata: undefined,
      })) as Task;
      expect(result.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
      expect(result.artifacts[0]?.parts[0]?.content).toEqual({
        $case: 'data',
        value: { echo: `hello ${transport}` },
      });
      expect(result.history[0]?.messageId).toBeTruthy();
      expect(result.metadata).toMatchObject({ skill: 'tester.echo', attempt: 1 });
    }
  });

  it('streams a task: task first, then status updates, the result before completed', async () => {
    const client = await clientFactory(KEYS.alice).createFromUrl(a.url);
    const states: string[] = [];
    let resultSeen = false;
    for await (const event of client.sendMessageStream({
      tenant: '',
      message: skillMessage({ skill: 'slow', input: { ms: 50 } }),
      configuration: undefined,
      metadata: undefined,
    })) {
      const p = event.payload;
      if (p?.$case === 'task') states.push(`task:${TaskState[p.value.status!.state]}`);
      if (p?.$case === 'statusUpdate') states.push(TaskState[p.value.status!.state]);
      if (p?.$case === 'artifactUpdate') {
        expect(states.at(-1)).toBe('TASK_STATE_WORKING');
        resultSeen = true;
      }
    }
    expect(states[0]).toBe('task:TASK_STATE_SUBMITTED');
    expect(states).toContain('TASK_STATE_WORKING');
    expect(states.at(-1)).toBe('TASK_STATE_COMPLETED');
    expect(resultSeen).toBe(true);
  });

  it('blocking waits for the end; returnImmediately answers submitted at once', async () => {
    const blocking = await rpc(a, 'SendMessage', { message: message('slow', { ms: 300 }) });
    expect(blocking.body.result).toMatchObject({ task: { status: { state: 'TASK_STATE_COMPLETED' } } });

    const started = Date.now();
    const immediate = await rpc(a, 'SendMessage', {
      message: message('slow', { ms: 600 }),
      configuration: { returnImmediately: true },
    });
    expect(Date.now() - started).toBeLessThan(500);
    const task = (immediate.body.result as { task: { id: string; status: { state: string } } }).task;
    expect(task.status.state).toBe('TASK_STATE_SUBMITTED');
    const done = await waitForTask(a, task.id, (t) => t.status?.state === 'TASK_STATE_COMPLETED');
    expect(done.artifacts).toHaveLength(1);
  });

  it('answers GetTask and SubscribeToTask for a task sent to another instance', async () => {
    const sent = await rpc(a, 'SendMessage', {
      message: message('slow', { ms: 400 }),
      configuration: { returnImmediately: true },
    });
    const id = (sent.body.result as { task: { id: string } }).task.id;
    const got = await rpc(b, 'GetTask', { id });
    expect(got.body.result).toMatchObject({ id, metadata: { skill: 'tester.slow' } });

    const client = await clientFactory(KEYS.alice).createFromUrl(b.url);
    const seen: string[] = [];
    for await (const event of client.resubscribeTask({ tenant: '', id })) {
      const p = event.payload;
      if (p?.$case === 'task' || p?.$case === 'statusUpdate') seen.push(TaskState[p.value.status!.state]);
    }
    expect(seen.at(-1)).toBe('TASK_STATE_COMPLETED');
    const final = await rpc(b, 'GetTask', { id });
    expect(final.body.result).toMatchObject({ status: { state: 'TASK_STATE_COMPLETED' } });
  });

  it('runs the same call (same caller, same messageId) once', async () => {
    const before = runs.echo;
    const messageId = crypto.randomUUID();
    const first = await rpc(a, 'SendMessage', { message: message('echo', { text: 'once' }, messageId) });
    const second = await rpc(b, 'SendMessage', { message: message('echo', { text: 'once' }, messageId) });
    const idOf = (r: typeof first) => (r.body.result as { task: { id: string } }).task.id;
    expect(idOf(second)).toBe(idOf(first));
    expect(second.body.result).toMatchObject({ task: { status: { state: 'TASK_STATE_COMPLETED' } } });
    expect(runs.echo - before).toBe(1);
    // Another caller with the same messageId is another call.
    const bobs = await rpc(
      a,
      'SendMessage',
      { message: message('echo', { text: 'once' }, messageId) },
      KEYS.bob,
    );
    expect(idOf(bobs)).not.toBe(idOf(first));
  });

  it('shows a caller only their own tasks', async () => {
    const sent = await rpc(a, 'SendMessage', { message: message('echo', { text: 'mine' }) });
    const id = (sent.body.result as { task: { id: string } }).task.id;
    const asBob = await rpc(b, 'GetTask', { id }, KEYS.bob);
    expect(asBob.body.error?.code).toBe(-32001);
    const cancelAsBob = await rpc(a, 'CancelTask', { id }, KEYS.bob);
    expect(cancelAsBob.body.error?.code).toBe(-32001);
    const subscribeAsBob = await rpc(a, 'SubscribeToTask', { id }, KEYS.bob);
    expect(subscribeAsBob.body.error?.code).toBe(-32001);
    const bobsList = await rpc(a, 'ListTasks', {}, KEYS.bob);
    const ids = (bobsList.body.result as { tasks?: { id: string }[] }).tasks?.map((t) => t.id) ?? [];
    expect(ids).not.toContain(id);
    const alicesList = await rpc(a, 'ListTasks', { pageSize: 100 });
    expect((alicesList.body.result as { tasks: { id: string }[] }).tasks.map((t) => t.id)).toContain(id);
  });
});
