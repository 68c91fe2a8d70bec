import { type TestBrain, testBrain } from '@forge/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentService } from '../service/agent-service.js';
import { KEYS, message, rpc, startInstance, testAgent } from '../test-support/test-agent.js';

describe('agent service: errors at the A2A edge', () => {
  let brain: TestBrain;
  let service: AgentService;

  beforeAll(async () => {
    brain = await testBrain('kiterr');
    service = await startInstance(testAgent().agent, brain);
  });

  afterAll(async () => {
    await service?.stop();
    await brain?.cleanup();
  });

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${service.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.alice}`, ...headers },
      body,
    });

  it('answers an unknown task with -32001 (JSON-RPC) and 404 (HTTP+JSON)', async () => {
    const id = crypto.randomUUID();
    expect((await rpc(service, 'GetTask', { id })).body.error?.code).toBe(-32001);
    // An id that no task can have is invalid params (A2A v1.0 §3.3.2: "invalid task ID format").
    expect((await rpc(service, 'GetTask', { id: 'not-a-uuid' })).body.error?.code).toBe(-32602);
    const rest = await fetch(`${service.url}/a2a/rest/tasks/${id}`, {
      headers: { authorization: `Bearer ${KEYS.alice}`, 'a2a-version': '1.0' },
    });
    expect(rest.status).toBe(404);
    expect(await rest.json()).toMatchObject({ error: { status: 'NOT_FOUND' } });
  });

  it('answers malformed JSON with -32700 and an unknown method with -32601', async () => {
    const broken = await post('/a2a/jsonrpc', '{"jsonrpc":"2.0","id":1,"method":', { 'a2a-version': '1.0' });
    expect(broken.headers.get('content-type')).toMatch(/json/);
    expect((await broken.json()) as unknown).toMatchObject({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32700 },
    });
    const unknown = await rpc(service, 'DoSomethingElse', {});
    expect(unknown.body.error?.code).toBe(-32601);
  });

  it('answers bad params with -32602 naming the field', async () => {
    const noId = await rpc(service, 'SendMessage', {
      message: { role: 'ROLE_USER', parts: [{ text: 'hi' }] },
    });
    expect(noId.body.error?.code).toBe(-32602);
    expect(noId.body.error?.message).toContain('message.messageId');

    const noMessage = await rpc(service, 'SendMessage', {});
    expect(noMessage.body.error?.message).toContain('message: is required');

    const badInput = await rpc(service, 'SendMessage', { message: message('slow', { ms: 'soon' }) });
    expect(badInput.body.error?.code).toBe(-32602);
    expect(badInput.body.error?.message).toContain('input.ms');

    const unknownSkill = await rpc(service, 'SendMessage', { message: message('juggle', {}) });
    expect(unknownSkill.body.error?.code).toBe(-32602);
    expect(unknownSkill.body.error?.message).toContain('message.metadata.skill');
    expect(unknownSkill.body.error?.message).toContain('tester.echo');

    const badPage = await rpc(service, 'ListTasks', { pageSize: 1000 });
    expect(badPage.body.error?.code).toBe(-32602);
    expect(badPage.body.error?.message).toContain('pageSize');

    const push = await rpc(service, 'CreateTaskPushNotificationConfig', {
      taskId: crypto.randomUUID(),
      url: 'http://x',
    });
    expect(push.body.error?.code).toBe(-32003);
  });

  it('refuses a missing or wrong key with 401 and a JSON body', async () => {
    const none = await rpc(service, 'GetTask', { id: crypto.randomUUID() }, null);
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ jsonrpc: '2.0', id: 1, error: { code: -31401 } });
    const wrong = await rpc(service, 'GetTask', { id: crypto.randomUUID() }, 'not-a-key');
    expect(wrong.status).toBe(401);
    expect(JSON.stringify(wrong.body)).not.toContain('not-a-key');
    const rest = await fetch(`${service.url}/a2a/rest/tasks`, { headers: { 'x-api-key': 'nope' } });
    expect(rest.status).toBe(401);
    expect(await rest.json()).toMatchObject({ error: { code: 401, status: 'UNAUTHENTICATED' } });
    const viaHeader = await fetch(`${service.url}/a2a/rest/tasks`, {
      headers: { 'x-api-key': KEYS.bob, 'a2a-version': '1.0' },
    });
    expect(viaHeader.status).toBe(200);
  });

  it('answers a body over the limit with a JSON error, not an HTML page', async () => {
    const big = JSON.stringify({
      jsonrpc: '2.0',
      id: 7,
      method: 'SendMessage',
      params: { pad: 'x'.repeat(40_000) },
    });
    const rpcRes = await post('/a2a/jsonrpc', big, { 'a2a-version': '1.0' });
    expect(rpcRes.status).toBe(413);
    expect(rpcRes.headers.get('content-type')).toMatch(/json/);
    expect(await rpcRes.json()).toMatchObject({
      error: { code: -32600, message: expect.stringContaining('16kb') },
    });
    const restRes = await post('/a2a/rest/message:send', big, { 'a2a-version': '1.0' });
    expect(restRes.status).toBe(413);
    expect(await restRes.json()).toMatchObject({ error: { status: 'INVALID_ARGUMENT' } });
  });

  it('keeps the card and health public, and 404s unknown routes in JSON', async () => {
    expect((await fetch(`${service.url}/livez`)).status).toBe(200);
    const ready = await fetch(`${service.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, checks: { nats: true, postgres: true } });
    const nowhere = await fetch(`${service.url}/nowhere`);
    expect(nowhere.status).toBe(404);
    expect(await nowhere.json()).toMatchObject({ error: { code: 'METHOD_NOT_FOUND' } });
  });

  it('speaks v0.3 JSON-RPC to clients that send no A2A-Version', async () => {
    const res = await fetch(`${service.url}/a2a/jsonrpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.alice}` },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 'legacy',
        method: 'message/send',
        params: {
          message: {
            kind: 'message',
            messageId: crypto.randomUUID(),
            role: 'user',
            parts: [{ kind: 'text', text: 'hello from 0.3' }],
          },
        },
      }),
    });
    const body = (await res.json()) as { result?: { kind: string; status: { state: string } } };
    expect(body.result).toMatchObject({ kind: 'task', status: { state: 'completed' } });
  });

  it('lets a v0.3 message/send whose configuration does not say blocking wait, as v0.3 servers do', async () => {
    const send = async (configuration: Record<string, unknown>) => {
      const res = await fetch(`${service.url}/a2a/jsonrpc`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.alice}` },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 'legacy',
          method: 'message/send',
          params: {
            message: {
              kind: 'message',
              messageId: crypto.randomUUID(),
              role: 'user',
              parts: [{ kind: 'data', data: { ms: 50 } }],
              metadata: { skill: 'slow' },
            },
            configuration,
          },
        }),
      });
      return ((await res.json()) as { result?: { status: { state: string } } }).result?.status.state;
    };
    expect(await send({ acceptedOutputModes: ['application/json'] })).toBe('completed');
    expect(await send({ acceptedOutputModes: ['application/json'], blocking: false })).toBe('submitted');
  });
});
