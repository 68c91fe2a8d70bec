import { setTimeout as sleep } from 'node:timers/promises';
import { SendMessageRequest, type StreamResponse, type Task } from '@a2a-js/sdk';
import { type TestBrain, testBrain } from '@forge/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentService } from '../service/agent-service.js';
import {
  type Binding,
  KEYS,
  type Loose,
  message,
  rest,
  rpc,
  sdkClient,
  startInstance,
  testAgent,
} from '../test-support/test-agent.js';

/**
 * The faults an outside A2A client found at the edge (issue 6), one test each; every one failed
 * before its fix. (Fault 1, the lost follow-up under router dispatch, is proven through the real
 * router in e2e/src/a2a and in the router's route-consumer test.)
 */
describe('A2A edge faults', () => {
  let brain: TestBrain;
  let service: AgentService;

  beforeAll(async () => {
    brain = await testBrain('kitfault');
    service = await startInstance(testAgent().agent, brain);
  });

  afterAll(async () => {
    await service?.stop();
    await brain?.cleanup();
  });

  const send = (json: Record<string, unknown>) => SendMessageRequest.fromJSON(json);
  const taskOf = (result: unknown) => result as Task;

  /** Resolves with the next event, or 'open' when none came within `ms` and the stream is still open. */
  async function nextWithin<T>(it: AsyncIterator<T>, ms: number): Promise<IteratorResult<T> | 'open'> {
    return Promise.race([it.next(), sleep(ms).then(() => 'open' as const)]);
  }

  describe.each<Binding>(['JSONRPC', 'HTTP+JSON'])(
    'fault 2 over %s: SubscribeToTask on an input-required task',
    (binding) => {
      it('stays open and relays the follow-up until the task ends', async () => {
        const client = await sdkClient(service, binding);
        const first = taskOf(await client.sendMessage(send({ message: message('ask', {}) })));
        expect(first.status?.state).toBe(6); // TASK_STATE_INPUT_REQUIRED
        const events = client.resubscribeTask({ id: first.id, tenant: '' })[Symbol.asyncIterator]();
        const snapshot = await events.next();
        expect((snapshot.value as StreamResponse).payload?.$case).toBe('task');
        const pending = events.next();
        expect(await Promise.race([pending, sleep(1_000).then(() => 'open' as const)])).toBe('open');

        const other = await sdkClient(service, binding);
        const answered = taskOf(
          await other.sendMessage(
            send({
              message: {
                ...message('ask', { approved: true }),
                taskId: first.id,
                contextId: first.contextId,
              },
            }),
          ),
        );
        expect(answered.status?.state).toBe(3); // TASK_STATE_COMPLETED
        const seen: string[] = [];
        let result: IteratorResult<StreamResponse> | 'open' = await pending;
        while (result !== 'open' && !result.done) {
          const payload = result.value.payload;
          seen.push(
            payload?.$case === 'statusUpdate'
              ? `status:${payload.value.status?.state}`
              : String(payload?.$case),
          );
          result = await nextWithin(events, 5_000);
        }
        expect(result).not.toBe('open');
        expect(seen.at(-1)).toBe('status:3');
        expect(seen).toContain('artifactUpdate');
      });
    },
  );

  describe('fault 3: a reused messageId with a different message', () => {
    it('replays the same message, and refuses another body, context or task under its id', async () => {
      const first = message('echo', { text: 'a' });
      const one = await rpc(service, 'SendMessage', { message: first });
      const task = one.body.result as { task: { id: string; contextId: string } };
      const again = await rpc(service, 'SendMessage', { message: first });
      expect((again.body.result as typeof task).task.id).toBe(task.task.id);

      const otherBody = await rpc(service, 'SendMessage', {
        message: { ...first, parts: [{ data: { text: 'b' } }] },
      });
      expect(otherBody.body.error?.code).toBe(-31409);
      expect(otherBody.body.error?.message).toContain('message.messageId');
      const otherContext = await rpc(service, 'SendMessage', {
        message: { ...first, contextId: 'elsewhere' },
      });
      expect(otherContext.body.error?.code).toBe(-31409);

      const asking = await rpc(service, 'SendMessage', { message: message('ask', {}) });
      const waiting = (asking.body.result as typeof task).task;
      const otherTask = await rest(service, 'POST', '/message:send', {
        message: { ...first, taskId: waiting.id, contextId: waiting.contextId },
      });
      expect(otherTask.status).toBe(409);
      expect(otherTask.body.error.status).toBe('ALREADY_EXISTS');

      // A messageId first used for a follow-up names that message too: not a new task, not
      // another task's follow-up.
      const second = (await rpc(service, 'SendMessage', { message: message('ask', {}) })).body
        .result as typeof task;
      const answer = { ...message('ask', { approved: true }), taskId: waiting.id };
      expect((await rpc(service, 'SendMessage', { message: answer })).body.result).toBeDefined();
      const asNew = await rpc(service, 'SendMessage', { message: { ...answer, taskId: undefined } });
      expect(asNew.body.error?.code).toBe(-31409);
      expect(asNew.body.error?.message).toContain(waiting.id);
      const asOther = await rpc(service, 'SendMessage', { message: { ...answer, taskId: second.task.id } });
      expect(asOther.body.error?.code).toBe(-31409);
    });
  });

  describe('fault 4: parts of a media type the skill does not take', () => {
    const png = {
      raw: Buffer.from('not really a png').toString('base64'),
      mediaType: 'image/png',
      filename: 'x.png',
    };

    it('answers ContentTypeNotSupportedError on both bindings, and the card says what is accepted', async () => {
      const viaRpc = await rpc(service, 'SendMessage', {
        message: { ...message('echo', {}), parts: [png] },
      });
      expect(viaRpc.body.error?.code).toBe(-32005);
      const viaRest = await rest(service, 'POST', '/message:send', {
        message: { ...message('echo', {}), parts: [png] },
      });
      expect(viaRest.status).toBe(400);
      expect(viaRest.body.error.details[0]).toMatchObject({
        reason: 'CONTENT_TYPE_NOT_SUPPORTED',
        domain: 'a2a-protocol.org',
      });
      const accepts = await rpc(service, 'SendMessage', {
        message: message('echo', { text: 'hi' }),
        configuration: { acceptedOutputModes: ['image/png'] },
      });
      expect(accepts.body.error?.code).toBe(-32005);

      const card = (await (await fetch(`${service.url}/.well-known/agent-card.json`)).json()) as Loose;
      expect(card.defaultInputModes).toEqual(['application/json', 'text/plain']);
      const echo = (card.skills as unknown as Loose[]).find((s) => s.id === 'tester.echo');
      expect(echo?.inputModes).toEqual(['application/json', 'text/plain']);
      expect(echo?.outputModes).toEqual(['application/json']);
    });

    it('answers a body that is not JSON with 415 on HTTP+JSON', async () => {
      const res = await fetch(`${service.url}/a2a/rest/message:send`, {
        method: 'POST',
        headers: {
          'content-type': 'text/plain',
          'a2a-version': '1.0',
          authorization: `Bearer ${KEYS.alice}`,
        },
        body: 'hello',
      });
      expect(res.status).toBe(415);
      expect(((await res.json()) as Loose).error.details[0].reason).toBe('CONTENT_TYPE_NOT_SUPPORTED');
    });
  });

  describe('fault 5: auth failures in the format of the binding called', () => {
    it('answers JSON-RPC with a JSON-RPC error object echoing the id, keeping 401', async () => {
      const res = await fetch(`${service.url}/a2a/jsonrpc`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'a2a-version': '1.0' },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 'req-7',
          method: 'GetTask',
          params: { id: crypto.randomUUID() },
        }),
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const body = (await res.json()) as Loose;
      expect(body).toMatchObject({ jsonrpc: '2.0', id: 'req-7', error: { code: -31401 } });
      expect(body.error.data[0]).toMatchObject({ reason: 'UNAUTHENTICATED', domain: 'forge' });
    });

    it('answers HTTP+JSON with a google.rpc.Status, keeping 401', async () => {
      const res = await rest(service, 'GET', '/tasks', undefined, 'wrong-key');
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(res.body.error).toMatchObject({ code: 401, status: 'UNAUTHENTICATED' });
      expect(res.body.error.details[0]['@type']).toBe('type.googleapis.com/google.rpc.ErrorInfo');
      expect(JSON.stringify(res.body)).not.toContain('wrong-key');
    });
  });

  describe('fault 6: the agent card', () => {
    it('serves the v1.0 card without A2A-Version, with validators and cache headers', async () => {
      const res = await fetch(`${service.url}/.well-known/agent-card.json`);
      expect(res.status).toBe(200);
      const card = (await res.json()) as Loose;
      expect(card.supportedInterfaces).toBeDefined();
      for (const legacy of ['url', 'preferredTransport', 'protocolVersion', 'additionalInterfaces']) {
        expect(card[legacy], legacy).toBeUndefined();
      }
      expect(card.defaultOutputModes).toEqual(['application/json', 'text/plain']);
      const etag = res.headers.get('etag');
      expect(etag).toBeTruthy();
      expect(res.headers.get('last-modified')).toBeTruthy();
      expect(res.headers.get('cache-control')).toMatch(/max-age=\d+/);
      const again = await fetch(`${service.url}/.well-known/agent-card.json`, {
        headers: { 'if-none-match': etag! },
      });
      expect(again.status).toBe(304);
      const legacy = (await (
        await fetch(`${service.url}/.well-known/agent-card.json`, { headers: { 'a2a-version': '0.3' } })
      ).json()) as Loose;
      expect(legacy.protocolVersion).toMatch(/^0\.3/);
      expect(legacy.url).toBeDefined();
    });
  });
});
