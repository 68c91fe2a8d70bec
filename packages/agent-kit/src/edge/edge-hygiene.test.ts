import { ForgeError, type TaskEnvelope } from '@forge/contracts';
import { InMemoryTaskRepository } from '@forge/store';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type EdgeApp, startEdgeApp } from '../test-support/edge-app.js';
import { KEYS, type Loose, testAgent } from '../test-support/test-agent.js';

/**
 * What a caller learns when something fails (issue 7, "errors say too much or too little"): the
 * table's message and an error id that the log line with the detail carries; never driver text,
 * an address or a stack. And input that fails validation is refused before it reaches code that
 * can throw, in the format of the binding called.
 */
describe('error hygiene at the A2A edge', () => {
  const tasks = new InMemoryTaskRepository();
  const dispatched: TaskEnvelope[] = [];
  let app: EdgeApp;
  let failure: Error | undefined;

  beforeAll(async () => {
    const list = tasks.list.bind(tasks);
    tasks.list = async (query) => {
      if (failure) throw failure;
      return list(query);
    };
    app = await startEdgeApp(testAgent().agent, tasks, {
      dispatcher: { dispatch: async (envelope) => void dispatched.push(envelope) },
    });
  });

  afterAll(async () => {
    await app?.close();
  });

  beforeEach(() => {
    failure = undefined;
  });

  async function call(
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; headers: Headers; text: string; json: Loose }> {
    const res = await fetch(`${app.url}/a2a/jsonrpc`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'a2a-version': '1.0',
        authorization: `Bearer ${KEYS.alice}`,
        ...headers,
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: text ? JSON.parse(text) : undefined };
  }

  async function rest(method: string, path: string, body?: string, headers: Record<string, string> = {}) {
    const res = await fetch(`${app.url}/a2a/rest${path}`, {
      method,
      headers: {
        'a2a-version': '1.0',
        authorization: `Bearer ${KEYS.alice}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body }),
    });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      text,
      json: (text ? JSON.parse(text) : undefined) as Loose,
    };
  }

  const rpc = (method: string, params: unknown, id: unknown = 1) =>
    call({ jsonrpc: '2.0', id, method, params });

  const logLine = (errorId: string) => app.logs.find((line) => line.errorId === errorId);

  it("answers an unreachable database with the table's message, an id and Retry-After; the log keeps the rest", async () => {
    failure = new ForgeError(
      'UNAVAILABLE',
      'task repository: postgres unreachable: connect ECONNREFUSED 127.0.0.1:7750',
      {
        cause: new Error('connect ECONNREFUSED 127.0.0.1:7750'),
      },
    );
    const viaRpc = await rpc('ListTasks', {});
    expect(viaRpc.status).toBe(503);
    expect(viaRpc.headers.get('retry-after')).toBe('5');
    expect(viaRpc.json.error.code).toBe(-31503);
    expect(viaRpc.json.error.message).toMatch(
      /^the service is unavailable; try again later \(error id [0-9a-f]{16}\)$/,
    );
    expect(viaRpc.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|postgres/);
    const info = viaRpc.json.error.data.find((d: Loose) => d['@type'].endsWith('ErrorInfo'));
    expect(info).toMatchObject({
      reason: 'UNAVAILABLE',
      domain: 'forge',
      metadata: { code: 'UNAVAILABLE', retryable: 'true' },
    });
    expect(viaRpc.json.error.data).toContainEqual({
      '@type': 'type.googleapis.com/google.rpc.RetryInfo',
      retryDelay: '5s',
    });
    expect(String(logLine(info.metadata.errorId)?.err)).toContain('ECONNREFUSED 127.0.0.1:7750');

    const viaRest = await rest('GET', '/tasks');
    expect(viaRest.status).toBe(503);
    expect(viaRest.headers.get('retry-after')).toBe('5');
    expect(viaRest.json.error).toMatchObject({ code: 503, status: 'UNAVAILABLE' });
    expect(viaRest.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|postgres/);
  });

  it('answers a thrown TypeError as an internal error with an id, never its text', async () => {
    failure = new TypeError("Cannot read properties of null (reading 'text')");
    const viaRpc = await rpc('ListTasks', {});
    expect(viaRpc.status).toBe(500);
    expect(viaRpc.json.error.code).toBe(-32603);
    expect(viaRpc.json.error.message).toMatch(/^internal error \(error id [0-9a-f]{16}\)$/);
    const viaRest = await rest('GET', '/tasks');
    expect(viaRest.status).toBe(500);
    expect(viaRest.text).not.toContain('Cannot read properties');
  });

  it('refuses null and empty parts as invalid params naming the part, on both bindings', async () => {
    const message = { messageId: crypto.randomUUID(), role: 'ROLE_USER', parts: [null] };
    const viaRpc = await rpc('SendMessage', { message });
    expect(viaRpc.json.error.code).toBe(-32602);
    expect(viaRpc.json.error.message).toContain('message.parts.0');
    const violations = viaRpc.json.error.data.find((d: Loose) => d['@type'].endsWith('BadRequest'));
    expect(violations.fieldViolations[0].field).toBe('message.parts.0');
    const empty = await rpc('SendMessage', { message: { ...message, parts: [{}] } });
    expect(empty.json.error.message).toContain('exactly one of text, raw, url or data');
    const viaRest = await rest('POST', '/message:send', JSON.stringify({ message }));
    expect(viaRest.status).toBe(400);
    expect(viaRest.json.error.status).toBe('INVALID_ARGUMENT');
    expect(dispatched).toHaveLength(0);
  });

  it('refuses 10,000-deep nesting as a parse error, and keeps serving', async () => {
    const deep = `{"jsonrpc":"2.0","id":1,"method":"SendMessage","params":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    const viaRpc = await call(deep);
    expect(viaRpc.status).toBe(200);
    expect(viaRpc.json).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
    expect(viaRpc.json.error.message).toContain('nested deeper than 64');
    const viaRest = await rest(
      'POST',
      '/message:send',
      `{"message":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`,
    );
    expect(viaRest.status).toBe(400);
    expect((await rpc('ListTasks', {})).json.result).toBeDefined();
  });

  it('refuses ids that are no task ids before they reach a subject or a query', async () => {
    for (const id of [' ', 'a.b.>', '*', `x${'y'.repeat(500)}`]) {
      expect((await rpc('SubscribeToTask', { id })).json.error.code, id).toBe(-32602);
      expect((await rpc('GetTask', { id })).json.error.code, id).toBe(-32602);
      expect((await rpc('CancelTask', { id })).json.error.code, id).toBe(-32602);
    }
    const percent = await rest('GET', '/tasks/%');
    expect(percent.status).toBe(400);
    expect(percent.json.error.message).toContain('id: not a valid percent-encoded path segment');
    expect((await rest('GET', '/tasks/%20')).status).toBe(400);
    expect((await rest('POST', '/tasks/..%2F..:subscribe')).status).toBe(400);
    expect((await rest('GET', `/tasks/${crypto.randomUUID()}`)).status).toBe(404);
  });

  it('never runs a notification, and answers it with no body', async () => {
    const before = dispatched.length;
    const res = await call({
      jsonrpc: '2.0',
      method: 'SendMessage',
      params: {
        message: { messageId: crypto.randomUUID(), role: 'ROLE_USER', parts: [{ data: { text: 'x' } }] },
      },
    });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(dispatched.length).toBe(before);
    expect((await tasks.list({ owner: 'alice', pageSize: 100 })).totalSize).toBe(0);
  });

  it('echoes every kind of id, and refuses what is not a request object', async () => {
    expect((await rpc('ListTasks', {}, 0)).json.id).toBe(0);
    expect((await rpc('ListTasks', {}, 'abc')).json.id).toBe('abc');
    expect((await rpc('ListTasks', {}, null)).json).toMatchObject({ id: null, result: { tasks: [] } });
    const batch = await call([{ jsonrpc: '2.0', id: 1, method: 'ListTasks', params: {} }]);
    expect(batch.json).toMatchObject({ id: null, error: { code: -32600 } });
    expect((await call({ jsonrpc: '1.0', id: 3, method: 'ListTasks' })).json).toMatchObject({
      id: 3,
      error: { code: -32600 },
    });
    expect((await call({ jsonrpc: '2.0', id: { no: 1 }, method: 'ListTasks' })).json).toMatchObject({
      id: null,
      error: { code: -32600 },
    });
    expect((await rpc('ListTasks', [1, 2])).json.error.code).toBe(-32602);
    expect((await rpc('tasks/get', {})).json.error.code).toBe(-32601);
    expect((await call('{"jsonrpc":')).json).toMatchObject({ id: null, error: { code: -32700 } });
  });

  it('negotiates the version by header or query, and refuses one it does not speak', async () => {
    const unknown = await rpc('ListTasks', {});
    expect(unknown.json.result).toBeDefined();
    const nine = await call(
      { jsonrpc: '2.0', id: 9, method: 'ListTasks', params: {} },
      { 'a2a-version': '9.9' },
    );
    expect(nine.json.error).toMatchObject({ code: -32009 });
    expect(nine.json.error.data[0]).toMatchObject({
      reason: 'VERSION_NOT_SUPPORTED',
      domain: 'a2a-protocol.org',
    });
    const patch = await call(
      { jsonrpc: '2.0', id: 9, method: 'ListTasks', params: {} },
      { 'a2a-version': '1.0.2' },
    );
    expect(patch.json.result).toBeDefined();
    const viaRest = await rest('GET', '/tasks', undefined, { 'a2a-version': 'two' });
    expect(viaRest.status).toBe(400);
    expect(viaRest.json.error).toMatchObject({ status: 'FAILED_PRECONDITION' });
    const res = await fetch(`${app.url}/a2a/rest/tasks?A2A-Version=1.0`, {
      headers: { authorization: `Bearer ${KEYS.alice}` },
    });
    expect(((await res.json()) as Loose).tasks).toEqual([]);
  });

  it('keeps what the v0.3 compat layer itself throws from reaching the caller', async () => {
    const res = await fetch(`${app.url}/a2a/jsonrpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.alice}` },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 'legacy',
        method: 'message/send',
        // The SDK's v0.3 → v1.0 translation reads `file.mimeType` of this part and throws.
        params: {
          message: { kind: 'message', messageId: 'm', role: 'user', parts: [{ kind: 'file', file: null }] },
        },
      }),
    });
    const text = await res.text();
    expect(text).not.toMatch(/Cannot read|mimeType|TypeError/);
    const body = JSON.parse(text) as Loose;
    expect(body).toMatchObject({ jsonrpc: '2.0', id: 'legacy', error: { code: -32603 } });
    const errorId = /\(error id ([0-9a-f]{16})\)$/.exec(body.error.message)?.[1];
    expect(String(logLine(errorId ?? '')?.err)).toContain('mimeType');
  });

  it('answers unknown methods and paths in the binding format', async () => {
    const nowhere = await rest('GET', '/nowhere');
    expect(nowhere.status).toBe(404);
    expect(nowhere.json.error).toMatchObject({ code: 404, status: 'NOT_FOUND' });
    const wrongVerb = await rest('DELETE', '/tasks');
    expect(wrongVerb.status).toBe(404);
    const get = await fetch(`${app.url}/a2a/jsonrpc`, { headers: { authorization: `Bearer ${KEYS.alice}` } });
    expect(get.headers.get('allow')).toBe('POST');
  });
});
