import { setTimeout as sleep } from 'node:timers/promises';
import { SendMessageRequest, type StreamResponse, TaskState } from '@a2a-js/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type A2ABrain, KEYS, startA2ABrain } from './a2a-brain.js';
import { a2a, BINDINGS, type Binding, type Json, readSse, sdkClient, skillMessage } from './a2a-wire.js';
import { conformanceAgent } from './conformance-agent.js';

/**
 * A2A v1.0 conformance of Forge's edge, for both bindings, against two replicas of an agent
 * under a real brain: every task goes through the real router (task.route → decision →
 * task.run) to a worker on NATS and Postgres. Each test names the spec section it holds the
 * edge to; docs/a2a-conformance.md maps every requirement to its test.
 */

/** The v1.0 AgentCard as a.proto defines it: REQUIRED fields present, no field v1.0 does not have. */
const AgentInterface = z.strictObject({
  url: z.url(),
  protocolBinding: z.string().min(1),
  protocolVersion: z.string().regex(/^\d+\.\d+$/),
  tenant: z.string().optional(),
});
const AgentSkill = z.strictObject({
  id: z.string().min(1),
  name: z.string().min(1),
  description: z.string().min(1),
  tags: z.array(z.string()).min(1),
  examples: z.array(z.string()).optional(),
  inputModes: z.array(z.string()).optional(),
  outputModes: z.array(z.string()).optional(),
  securityRequirements: z.array(z.unknown()).optional(),
});
const AgentCardV1 = z.strictObject({
  name: z.string().min(1),
  description: z.string().min(1),
  supportedInterfaces: z.array(AgentInterface).min(1),
  provider: z.strictObject({ organization: z.string(), url: z.string() }).optional(),
  version: z.string().min(1),
  documentationUrl: z.string().optional(),
  capabilities: z.strictObject({
    streaming: z.boolean().optional(),
    pushNotifications: z.boolean().optional(),
    extensions: z.array(z.unknown()).optional(),
    extendedAgentCard: z.boolean().optional(),
  }),
  securitySchemes: z.record(z.string(), z.unknown()).optional(),
  securityRequirements: z.array(z.unknown()).optional(),
  defaultInputModes: z.array(z.string()).min(1),
  defaultOutputModes: z.array(z.string()).min(1),
  skills: z.array(AgentSkill).min(1),
  signatures: z.array(z.unknown()).optional(),
  iconUrl: z.string().optional(),
});

const STATE = {
  submitted: 'TASK_STATE_SUBMITTED',
  working: 'TASK_STATE_WORKING',
  completed: 'TASK_STATE_COMPLETED',
  canceled: 'TASK_STATE_CANCELED',
  inputRequired: 'TASK_STATE_INPUT_REQUIRED',
  rejected: 'TASK_STATE_REJECTED',
} as const;

describe('A2A v1.0 conformance, through the router', () => {
  let b: A2ABrain;
  let url: string;
  let other: string;

  beforeAll(async () => {
    b = await startA2ABrain(conformanceAgent, 'a2aconf');
    url = b.agents[0].url;
    other = b.agents[1].url;
  }, 60_000);

  afterAll(async () => {
    await b?.close();
  });

  const send = (binding: Binding, message: Json, configuration?: Json, base = url) =>
    a2a(base, binding, 'SendMessage', { message, ...(configuration ? { configuration } : {}) });

  /** The task of a SendMessage answer. */
  const taskOf = (answer: { result?: Json }) => answer.result?.task as Json;

  describe('agent card (§8, §4.4.1)', () => {
    it('serves the v1.0 card by default: schema, interfaces for both bindings, modes, caching', async () => {
      const res = await fetch(`${url}/.well-known/agent-card.json`);
      expect(res.status).toBe(200);
      const card = AgentCardV1.parse(await res.json());
      expect(card.supportedInterfaces.slice(0, 2)).toEqual([
        { url: `${url}/a2a/jsonrpc`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
        { url: `${url}/a2a/rest`, protocolBinding: 'HTTP+JSON', protocolVersion: '1.0' },
      ]);
      expect(card.capabilities).toEqual({
        streaming: true,
        pushNotifications: false,
        extendedAgentCard: false,
      });
      expect(card.defaultInputModes).toEqual(['application/json', 'text/plain']);
      expect(card.defaultOutputModes).toEqual(['application/json', 'text/plain']);
      expect(card.skills.find((s) => s.id === 'conform.quick')?.outputModes).toEqual(['text/plain']);
      expect(res.headers.get('cache-control')).toMatch(/max-age=\d+/);
      const etag = res.headers.get('etag')!;
      const lastModified = res.headers.get('last-modified')!;
      expect(
        (await fetch(`${url}/.well-known/agent-card.json`, { headers: { 'if-none-match': etag } })).status,
      ).toBe(304);
      expect(
        (
          await fetch(`${url}/.well-known/agent-card.json`, {
            headers: { 'if-modified-since': lastModified },
          })
        ).status,
      ).toBe(304);
    });

    it('serves the v0.3 card to a client that asks for it', async () => {
      const res = await fetch(`${url}/.well-known/agent-card.json`, { headers: { 'a2a-version': '0.3' } });
      const card = (await res.json()) as Json;
      expect(card).toMatchObject({ url: `${url}/a2a/jsonrpc`, preferredTransport: 'JSONRPC' });
      expect(card.protocolVersion).toMatch(/^0\.3/);
    });
  });

  describe.each(BINDINGS)('over %s', (binding) => {
    describe('versions (§3.6)', () => {
      it('refuses a version it does not speak with VersionNotSupportedError', async () => {
        const answer = await a2a(url, binding, 'ListTasks', {}, { version: '0.5' });
        expect(answer.code).toBe(binding === 'JSONRPC' ? -32009 : 400);
        expect(answer.errorInfo).toMatchObject({
          reason: 'VERSION_NOT_SUPPORTED',
          domain: 'a2a-protocol.org',
        });
      });

      it('speaks v0.3 through the compat layer to a client that sends no A2A-Version', async () => {
        const message = {
          kind: 'message',
          messageId: crypto.randomUUID(),
          role: 'user',
          parts: [{ kind: 'text', text: 'old' }],
        };
        const res =
          binding === 'JSONRPC'
            ? await fetch(`${url}/a2a/jsonrpc`, {
                method: 'POST',
                headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.alice}` },
                body: JSON.stringify({
                  jsonrpc: '2.0',
                  id: 'v03',
                  method: 'message/send',
                  params: { message },
                }),
              })
            : await fetch(`${url}/a2a/rest/v1/message:send`, {
                method: 'POST',
                headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.alice}` },
                body: JSON.stringify({
                  message: { messageId: message.messageId, role: 'ROLE_USER', content: [{ text: 'old' }] },
                }),
              });
        const body = (await res.json()) as Json;
        const task = binding === 'JSONRPC' ? body.result : (body.task ?? body);
        // The SDK's v0.3 REST transport answers a send with 201, as v0.3 had it.
        expect([200, 201]).toContain(res.status);
        expect(JSON.stringify(task)).toMatch(/completed|TASK_STATE_COMPLETED/);
      });
    });

    describe('errors (§3.3.2, §5.4, §9.5, §11.6)', () => {
      const expectA2AError = (answer: Json, jsonRpc: number, http: number, reason: string) => {
        expect(answer.code).toBe(binding === 'JSONRPC' ? jsonRpc : http);
        expect(answer.errorInfo).toMatchObject({ reason, domain: 'a2a-protocol.org' });
        expect(answer.errorInfo.metadata.errorId).toMatch(/^[0-9a-f]{16}$/);
      };

      it("TaskNotFoundError -32001 / 404, the same for another caller's task (§13.1)", async () => {
        expectA2AError(
          await a2a(url, binding, 'GetTask', { id: crypto.randomUUID() }),
          -32001,
          404,
          'TASK_NOT_FOUND',
        );
        const mine = taskOf(await send(binding, skillMessage('echo', { text: 'mine' })));
        expectA2AError(
          await a2a(url, binding, 'GetTask', { id: mine.id }, { key: KEYS.bob }),
          -32001,
          404,
          'TASK_NOT_FOUND',
        );
      });

      it('TaskNotCancelableError -32002 / 400 for a task that already ended', async () => {
        const done = taskOf(await send(binding, skillMessage('echo', { text: 'done' })));
        expect(done.status.state).toBe(STATE.completed);
        expectA2AError(
          await a2a(url, binding, 'CancelTask', { id: done.id }),
          -32002,
          400,
          'TASK_NOT_CANCELABLE',
        );
      });

      it('PushNotificationNotSupportedError -32003 / 400, as the card says', async () => {
        const answer = await a2a(url, binding, 'CreateTaskPushNotificationConfig', {
          taskId: crypto.randomUUID(),
          url: 'https://example.com/hook',
        });
        expectA2AError(answer, -32003, 400, 'PUSH_NOTIFICATION_NOT_SUPPORTED');
        const inSend = await send(binding, skillMessage('echo', { text: 'x' }), {
          taskPushNotificationConfig: { url: 'https://example.com/hook' },
        });
        expectA2AError(inSend, -32003, 400, 'PUSH_NOTIFICATION_NOT_SUPPORTED');
      });

      it('UnsupportedOperationError -32004 / 400: a message to an ended task, the extended card', async () => {
        const done = taskOf(await send(binding, skillMessage('echo', { text: 'over' })));
        const followUp = await send(binding, skillMessage('echo', { text: 'more' }, { taskId: done.id }));
        expectA2AError(followUp, -32004, 400, 'UNSUPPORTED_OPERATION');
        expectA2AError(
          await a2a(url, binding, 'GetExtendedAgentCard', {}),
          -32004,
          400,
          'UNSUPPORTED_OPERATION',
        );
      });

      it('ContentTypeNotSupportedError -32005 / 400 for parts or output modes the skill does not take', async () => {
        const png = { raw: Buffer.from('png').toString('base64'), mediaType: 'image/png' };
        expectA2AError(
          await send(binding, { ...skillMessage('echo', {}), parts: [png] }),
          -32005,
          400,
          'CONTENT_TYPE_NOT_SUPPORTED',
        );
        expectA2AError(
          await send(binding, skillMessage('echo', { text: 'x' }), { acceptedOutputModes: ['video/mp4'] }),
          -32005,
          400,
          'CONTENT_TYPE_NOT_SUPPORTED',
        );
      });

      it('invalid params -32602 / 400 naming the field, with google.rpc.BadRequest', async () => {
        const answer = await send(binding, { role: 'ROLE_USER', parts: [{ text: 'no id' }] });
        expect(answer.code).toBe(binding === 'JSONRPC' ? -32602 : 400);
        expect(answer.message).toContain('message.messageId');
        const details = binding === 'JSONRPC' ? answer.body.error.data : answer.body.error.details;
        expect(details.find((d: Json) => d['@type'].endsWith('BadRequest')).fieldViolations[0].field).toBe(
          'message.messageId',
        );
      });

      it("authentication: 401 with WWW-Authenticate in the binding's own error format", async () => {
        const answer = await a2a(url, binding, 'ListTasks', {}, { key: null });
        expect(answer.status).toBe(401);
        expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer/);
        expect(answer.errorInfo).toMatchObject({ reason: 'UNAUTHENTICATED' });
        if (binding === 'JSONRPC')
          expect(answer.body).toMatchObject({ jsonrpc: '2.0', error: { code: -31401 } });
        else expect(answer.body.error).toMatchObject({ code: 401, status: 'UNAUTHENTICATED' });
      });
    });

    describe('SendMessage (§3.1.1, §3.2.2)', () => {
      it('blocks until the task ends by default, and returns at once with returnImmediately', async () => {
        const blocking = taskOf(await send(binding, skillMessage('slow', { ms: 300 })));
        expect(blocking.status.state).toBe(STATE.completed);
        expect(blocking.artifacts[0]).toMatchObject({
          artifactId: 'result',
          parts: [{ data: { slept: 300 } }],
        });
        const started = performance.now();
        const immediate = taskOf(
          await send(binding, skillMessage('slow', { ms: 1_500 }), { returnImmediately: true }),
        );
        expect(performance.now() - started).toBeLessThan(1_500);
        expect([STATE.submitted, STATE.working]).toContain(immediate.status.state);
        let task: Json;
        for (let i = 0; i < 100; i++) {
          task = (await a2a(url, binding, 'GetTask', { id: immediate.id })).result;
          if (task.status.state === STATE.completed) break;
          await sleep(100);
        }
        expect(task.status.state).toBe(STATE.completed);
      });

      it('returns the interrupted state when the task waits for input (blocking ends there)', async () => {
        const task = taskOf(await send(binding, skillMessage('ask', {})));
        expect(task.status.state).toBe(STATE.inputRequired);
        expect(task.status.message.parts[0].text).toBe('say approved: true to go on');
      });

      it('answers a message skill with a Message, not a task (§3.1.1)', async () => {
        const answer = await send(binding, skillMessage('quick', { text: 'hi' }));
        expect(answer.result.message).toMatchObject({ role: 'ROLE_AGENT', parts: [{ text: 'echo: hi' }] });
        expect(answer.result.task).toBeUndefined();
      });

      it('ends a refused task in rejected', async () => {
        const task = taskOf(await send(binding, skillMessage('refuse', {})));
        expect(task.status).toMatchObject({
          state: STATE.rejected,
          message: { parts: [{ text: 'not something this agent does' }] },
        });
      });

      it('replays the same message, and refuses the same messageId with another message (§3.3.1)', async () => {
        const message = skillMessage('echo', { text: 'once' });
        const first = taskOf(await send(binding, message));
        expect(taskOf(await send(binding, message)).id).toBe(first.id);
        const other = await send(binding, { ...message, parts: [{ data: { text: 'twice' } }] });
        expect(other.code).toBe(binding === 'JSONRPC' ? -31409 : 409);
        expect(other.errorInfo).toMatchObject({ reason: 'CONFLICT', domain: 'forge' });
      });
    });

    describe('history (§3.2.4)', () => {
      it('returns all, none or the last n messages', async () => {
        const asked = taskOf(await send(binding, skillMessage('ask', {})));
        await send(
          binding,
          skillMessage('ask', { approved: true }, { taskId: asked.id, contextId: asked.contextId }),
        );
        const all = (await a2a(url, binding, 'GetTask', { id: asked.id })).result;
        expect(all.history).toHaveLength(2);
        expect(
          (await a2a(url, binding, 'GetTask', { id: asked.id, historyLength: 0 })).result.history,
        ).toBeUndefined();
        const last = (await a2a(url, binding, 'GetTask', { id: asked.id, historyLength: 1 })).result;
        expect(last.history.map((m: Json) => m.messageId)).toEqual([all.history[1].messageId]);
        const sent = taskOf(await send(binding, skillMessage('echo', { text: 'h' }), { historyLength: 0 }));
        expect(sent.history).toBeUndefined();
      });
    });

    describe('multi-turn (§3.4)', () => {
      it('continues a task by taskId in its context, and starts a new task in the same context by contextId', async () => {
        const asked = taskOf(await send(binding, skillMessage('ask', {})));
        const resumed = taskOf(
          await send(binding, skillMessage('ask', { approved: true }, { taskId: asked.id })),
        );
        expect(resumed).toMatchObject({
          id: asked.id,
          contextId: asked.contextId,
          status: { state: STATE.completed },
        });
        const next = taskOf(
          await send(binding, skillMessage('echo', { text: 'next' }, { contextId: asked.contextId })),
        );
        expect(next.id).not.toBe(asked.id);
        expect(next.contextId).toBe(asked.contextId);
      });

      it('refuses a follow-up to an ended task, a mismatching contextId and an unknown taskId', async () => {
        const asked = taskOf(await send(binding, skillMessage('ask', {})));
        const wrongContext = await send(
          binding,
          skillMessage('ask', { approved: true }, { taskId: asked.id, contextId: 'other' }),
        );
        expect(wrongContext.code).toBe(binding === 'JSONRPC' ? -32602 : 400);
        await send(binding, skillMessage('ask', { approved: true }, { taskId: asked.id }));
        const late = await send(binding, skillMessage('ask', { approved: true }, { taskId: asked.id }));
        expect(late.code).toBe(binding === 'JSONRPC' ? -32004 : 400);
        const unknown = await send(binding, skillMessage('ask', {}, { taskId: crypto.randomUUID() }));
        expect(unknown.code).toBe(binding === 'JSONRPC' ? -32001 : 404);
      });

      it('runs a follow-up sent within the duplicate window through the router (fault 1)', async () => {
        const asked = taskOf(await send(binding, skillMessage('ask', {})));
        const started = performance.now();
        const answered = taskOf(
          await send(binding, skillMessage('ask', { approved: true }, { taskId: asked.id })),
        );
        expect(answered.status.state).toBe(STATE.completed);
        // Well inside the blocking wait: the follow-up ran, nobody waited for a timeout.
        expect(performance.now() - started).toBeLessThan(10_000);
      });
    });

    describe('ListTasks (§3.1.4)', () => {
      it('filters by context and state, orders by last update, pages by cursor, leaves artifacts out unless asked', async () => {
        const contextId = crypto.randomUUID();
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) {
          ids.push(taskOf(await send(binding, skillMessage('echo', { text: `t${i}` }, { contextId }))).id);
        }
        const waiting = taskOf(await send(binding, skillMessage('ask', {}, { contextId }))).id;
        ids.push(waiting);
        // The first task changes last: it moves to the front.
        await send(binding, skillMessage('echo', { text: 'again' }, { contextId }));
        const seen: Json[] = [];
        let pageToken = '';
        for (let page = 0; page < 10; page++) {
          const answer = (
            await a2a(url, binding, 'ListTasks', {
              contextId,
              pageSize: 3,
              ...(pageToken ? { pageToken } : {}),
            })
          ).result;
          expect(answer.totalSize).toBe(7);
          expect(answer.pageSize).toBe(3);
          expect(answer).toHaveProperty('nextPageToken');
          seen.push(...answer.tasks);
          pageToken = answer.nextPageToken;
          if (!pageToken) break;
        }
        expect(seen).toHaveLength(7);
        const times = seen.map((t) => Date.parse(t.status.timestamp));
        expect([...times].sort((x, y) => y - x)).toEqual(times);
        expect(seen.every((t) => t.artifacts === undefined)).toBe(true);

        const inputRequired = (
          await a2a(url, binding, 'ListTasks', { contextId, status: STATE.inputRequired })
        ).result;
        expect(inputRequired.tasks.map((t: Json) => t.id)).toEqual([waiting]);
        const withArtifacts = (
          await a2a(url, binding, 'ListTasks', { contextId, includeArtifacts: true, pageSize: 1 })
        ).result;
        expect(withArtifacts.tasks[0].artifacts[0].artifactId).toBe('result');
        const later = (
          await a2a(url, binding, 'ListTasks', { contextId, statusTimestampAfter: '2999-01-01T00:00:00Z' })
        ).result;
        expect(later).toMatchObject({ tasks: [], nextPageToken: '' });
        const bad = await a2a(url, binding, 'ListTasks', { pageSize: 500 });
        expect(bad.code).toBe(binding === 'JSONRPC' ? -32602 : 400);
        // Another caller sees none of them.
        expect((await a2a(url, binding, 'ListTasks', { contextId }, { key: KEYS.bob })).result.tasks).toEqual(
          [],
        );
      });
    });

    describe('CancelTask (§3.1.5)', () => {
      it('cancels a working task, again idempotently, and refuses a finished one', async () => {
        const running = taskOf(
          await send(binding, skillMessage('slow', { ms: 20_000 }), { returnImmediately: true }),
        );
        await sleep(300);
        const canceled = (await a2a(url, binding, 'CancelTask', { id: running.id })).result;
        expect(canceled.status.state).toBe(STATE.canceled);
        expect((await a2a(other, binding, 'CancelTask', { id: running.id })).result.status.state).toBe(
          STATE.canceled,
        );
      });
    });

    describe('streaming (§3.1.2, §3.1.6, §3.5.2)', () => {
      it('streams the task first, its changes in order, and closes on the final event', async () => {
        const client = await sdkClient(url, binding);
        const request = SendMessageRequest.fromJSON({ message: skillMessage('report', { topic: 'soil' }) });
        const events: StreamResponse[] = [];
        for await (const event of client.sendMessageStream(request)) events.push(event);
        const kinds = events.map((e) =>
          e.payload?.$case === 'statusUpdate'
            ? `status:${e.payload.value.status?.state}`
            : e.payload?.$case === 'artifactUpdate'
              ? `artifact:${e.payload.value.artifact?.artifactId}:${e.payload.value.append}:${e.payload.value.lastChunk}`
              : String(e.payload?.$case),
        );
        expect(kinds[0]).toBe('task');
        expect(kinds.at(-1)).toBe(`status:${TaskState.TASK_STATE_COMPLETED}`);
        expect(kinds.filter((k) => k.startsWith('artifact:'))).toEqual([
          'artifact:summary:false:true',
          'artifact:body:false:false',
          'artifact:body:true:false',
          'artifact:body:true:true',
          'artifact:result:false:true',
        ]);
      });

      it('streams exactly one Message for a message skill', async () => {
        const client = await sdkClient(url, binding);
        const events: StreamResponse[] = [];
        const request = SendMessageRequest.fromJSON({ message: skillMessage('quick', { text: 'x' }) });
        for await (const event of client.sendMessageStream(request)) events.push(event);
        expect(events.map((e) => e.payload?.$case)).toEqual(['message']);
      });

      it('lets a second client resubscribe on another replica and follow the task to its end', async () => {
        const started = taskOf(
          await send(binding, skillMessage('slow', { ms: 1_200 }), { returnImmediately: true }),
        );
        const second = await sdkClient(other, binding);
        const events: StreamResponse[] = [];
        for await (const event of second.resubscribeTask({ id: started.id, tenant: '' })) events.push(event);
        expect(events[0]?.payload?.$case).toBe('task');
        const last = events.at(-1)?.payload;
        expect(last?.$case === 'statusUpdate' && last.value.status?.state).toBe(
          TaskState.TASK_STATE_COMPLETED,
        );
        const ended = await a2a(other, binding, 'GetTask', { id: started.id });
        expect(ended.result.status.state).toBe(STATE.completed);
      });

      it('keeps a subscription to an input-required task open until the follow-up ends it', async () => {
        const asked = taskOf(await send(binding, skillMessage('ask', {})));
        const client = await sdkClient(other, binding);
        const stream = client.resubscribeTask({ id: asked.id, tenant: '' })[Symbol.asyncIterator]();
        expect((await stream.next()).value?.payload?.$case).toBe('task');
        const pending = stream.next();
        expect(await Promise.race([pending.then(() => 'event'), sleep(800).then(() => 'open')])).toBe('open');
        await send(binding, skillMessage('ask', { approved: true }, { taskId: asked.id }));
        const states: number[] = [];
        for (let next = await pending; !next.done; next = await stream.next()) {
          const p = next.value.payload;
          if (p?.$case === 'statusUpdate') states.push(p.value.status!.state);
        }
        expect(states.at(-1)).toBe(TaskState.TASK_STATE_COMPLETED);
      });

      it('refuses to subscribe to an ended task with UnsupportedOperationError', async () => {
        const done = taskOf(await send(binding, skillMessage('echo', { text: 'end' })));
        const res =
          binding === 'JSONRPC'
            ? await fetch(`${url}/a2a/jsonrpc`, {
                method: 'POST',
                headers: {
                  'content-type': 'application/json',
                  'a2a-version': '1.0',
                  authorization: `Bearer ${KEYS.alice}`,
                },
                body: JSON.stringify({
                  jsonrpc: '2.0',
                  id: 5,
                  method: 'SubscribeToTask',
                  params: { id: done.id },
                }),
              })
            : await fetch(`${url}/a2a/rest/tasks/${done.id}:subscribe`, {
                method: 'POST',
                headers: { 'a2a-version': '1.0', authorization: `Bearer ${KEYS.alice}` },
              });
        const body = (await res.json()) as Json;
        if (binding === 'JSONRPC') expect(body.error.code).toBe(-32004);
        else expect([res.status, body.error.status]).toEqual([400, 'FAILED_PRECONDITION']);
      });

      it('sends every event of SSE as the binding frames it', async () => {
        const res =
          binding === 'JSONRPC'
            ? await fetch(`${url}/a2a/jsonrpc`, {
                method: 'POST',
                headers: {
                  'content-type': 'application/json',
                  'a2a-version': '1.0',
                  authorization: `Bearer ${KEYS.alice}`,
                },
                body: JSON.stringify({
                  jsonrpc: '2.0',
                  id: 'stream-1',
                  method: 'SendStreamingMessage',
                  params: { message: skillMessage('echo', { text: 'sse' }) },
                }),
              })
            : await fetch(`${url}/a2a/rest/message:stream`, {
                method: 'POST',
                headers: {
                  'content-type': 'application/a2a+json',
                  'a2a-version': '1.0',
                  authorization: `Bearer ${KEYS.alice}`,
                },
                body: JSON.stringify({ message: skillMessage('echo', { text: 'sse' }) }),
              });
        expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
        const events = await readSse(res);
        const results = binding === 'JSONRPC' ? events.map((e) => e.data.result) : events.map((e) => e.data);
        if (binding === 'JSONRPC')
          expect(events.every((e) => e.data.jsonrpc === '2.0' && e.data.id === 'stream-1')).toBe(true);
        expect(Object.keys(results[0])).toEqual(['task']);
        expect(results.at(-1).statusUpdate.status.state).toBe(STATE.completed);
      });
    });
  });

  describe('content types on HTTP+JSON (§11.1)', () => {
    it('takes application/a2a+json and application/json, answers a2a+json, refuses others with 415', async () => {
      for (const type of ['application/a2a+json', 'application/json; charset=utf-8']) {
        const res = await fetch(`${url}/a2a/rest/message:send`, {
          method: 'POST',
          headers: { 'content-type': type, 'a2a-version': '1.0', authorization: `Bearer ${KEYS.alice}` },
          body: JSON.stringify({ message: skillMessage('echo', { text: type }) }),
        });
        expect(res.status, type).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/^application\/a2a\+json/);
      }
      const xml = await fetch(`${url}/a2a/rest/message:send`, {
        method: 'POST',
        headers: {
          'content-type': 'application/xml',
          'a2a-version': '1.0',
          authorization: `Bearer ${KEYS.alice}`,
        },
        body: '<message/>',
      });
      expect(xml.status).toBe(415);
      expect(((await xml.json()) as Json).error.details[0].reason).toBe('CONTENT_TYPE_NOT_SUPPORTED');
    });
  });
});
