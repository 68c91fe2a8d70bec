import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type A2ABrain, KEYS, startA2ABrain } from './a2a-brain.js';
import type { Json } from './a2a-wire.js';
import { conformanceAgent } from './conformance-agent.js';

/**
 * Thousands of malformed requests at both bindings of an agent under a real brain (issue 7,
 * "fault tests that stay"): every answer is JSON (or an SSE stream, or the 204 of a
 * notification) in the binding's own error format, with a code the error table knows; no
 * malformed request is a server fault, no answer shows driver text or a stack, the service stays
 * ready, and the heap does not grow with the requests.
 */

const RUNS_PER_BINDING = 1_000;
const METHODS = [
  'SendMessage',
  'SendStreamingMessage',
  'GetTask',
  'ListTasks',
  'CancelTask',
  'SubscribeToTask',
  'CreateTaskPushNotificationConfig',
  'GetExtendedAgentCard',
  'message/send',
  'tasks/get',
];
/** Skills that end at once: a fuzzed request must never leave a stream open for long. */
const SKILLS = ['echo', 'quick', 'refuse', 'conform.echo', 'nope', ''];
/** What no answer may show a caller. */
const LEAK =
  /TypeError|RangeError|Cannot read|is not a function|\bat [\w.<>]+ \(|node:internal|ECONN|127\.0\.0\.1|postgres|SELECT /;
/** JSON-RPC codes an answer may carry: JSON-RPC's own, A2A's, Forge's (never -32603 for bad input). */
const JSON_RPC_CODES = new Set([
  -32700, -32600, -32601, -32602, -32001, -32002, -32003, -32004, -32005, -32009, -31401, -31409, -31499,
]);

const uuid = fc.uuid();
const text = fc.string({ maxLength: 40 });
const scalar = fc.oneof(text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
const json = fc.jsonValue({ maxDepth: 4 });

const part = fc.oneof(
  fc.constant(null),
  fc.record({ text }, { requiredKeys: [] }),
  fc.record({ data: json, mediaType: fc.constantFrom('application/json', 'text/csv', '') }),
  fc.record({
    raw: fc.oneof(fc.base64String({ maxLength: 40 }), text),
    mediaType: fc.oneof(text, fc.constant('image/png')),
  }),
  fc.record({ url: text, text }),
  json,
);

const message = fc.record(
  {
    messageId: fc.oneof(uuid, scalar),
    role: fc.oneof(fc.constantFrom('ROLE_USER', 'ROLE_AGENT', 'user'), scalar),
    parts: fc.oneof(fc.array(part, { maxLength: 4 }), scalar),
    metadata: fc.oneof(fc.record({ skill: fc.constantFrom(...SKILLS) }), json),
    taskId: fc.oneof(uuid, text),
    contextId: fc.oneof(uuid, text, scalar),
    referenceTaskIds: fc.oneof(fc.array(text, { maxLength: 2 }), scalar),
  },
  { requiredKeys: [] },
);

const params = fc.oneof(
  json,
  fc.record(
    {
      message: fc.oneof(message, scalar),
      configuration: fc.oneof(
        fc.record(
          {
            historyLength: fc.oneof(fc.integer({ min: -5, max: 5 }), scalar),
            returnImmediately: fc.oneof(fc.boolean(), scalar),
            acceptedOutputModes: fc.oneof(
              fc.array(fc.constantFrom('text/plain', 'video/mp4', '*/*')),
              scalar,
            ),
            taskPushNotificationConfig: json,
          },
          { requiredKeys: [] },
        ),
        scalar,
      ),
    },
    { requiredKeys: [] },
  ),
  fc.record(
    {
      id: fc.oneof(uuid, text, fc.constantFrom(' ', '*', 'a.b.>', '%', '../..'), scalar),
      historyLength: fc.oneof(fc.integer({ min: -3, max: 3 }), scalar),
      pageSize: fc.oneof(fc.integer({ min: -5, max: 500 }), scalar),
      pageToken: fc.oneof(text, scalar),
      status: fc.oneof(fc.constantFrom('TASK_STATE_WORKING', 'working', 'RUNNING', '7'), scalar),
      statusTimestampAfter: fc.oneof(text, fc.constant('2020-01-01T00:00:00Z'), scalar),
      includeArtifacts: fc.oneof(fc.boolean(), scalar),
    },
    { requiredKeys: [] },
  ),
);

const headers = fc.record({
  // (fetch sends a string body as text/plain when no type is given.)
  contentType: fc.constantFrom(
    ...Array<string>(6).fill('application/json'),
    'application/a2a+json',
    'text/plain',
    '',
  ),
  version: fc.constantFrom('1.0', '1.0', '1.0', '0.3', '', '2.1', 'x'),
  key: fc.constantFrom<string | null>(KEYS.alice, KEYS.alice, KEYS.alice, 'wrong-key', null),
});

/** A body: a request object (perhaps broken), any JSON, text that is not JSON, or nesting too deep. */
const jsonRpcBody = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .record(
        {
          jsonrpc: fc.oneof(fc.constant('2.0'), scalar),
          id: fc.oneof(fc.integer(), text, fc.constant(null), json),
          method: fc.oneof(fc.constantFrom(...METHODS), text),
          params,
        },
        { requiredKeys: ['method'] },
      )
      .map((body) => JSON.stringify(body)),
  },
  { weight: 1, arbitrary: json.map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 80 }) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 60, max: 20_000 })
      .map(
        (d) => `{"jsonrpc":"2.0","id":1,"method":"SendMessage","params":${'['.repeat(d)}${']'.repeat(d)}}`,
      ),
  },
);

const restRequest = fc.record({
  verb: fc.constantFrom('GET', 'POST', 'POST', 'DELETE', 'PUT'),
  path: fc.oneof(
    fc.constantFrom('/message:send', '/message:stream', '/tasks', '/extendedAgentCard', '/', '/v1/tasks'),
    fc
      .tuple(
        fc.oneof(
          uuid,
          text.map(encodeURIComponent),
          fc.constantFrom('%', '%zz', '%00', '..', '%2F', ' ', ''),
        ),
        fc.constantFrom(
          '',
          ':cancel',
          ':subscribe',
          '/pushNotificationConfigs',
          '/pushNotificationConfigs/x',
          ':x',
        ),
      )
      .map(([id, action]) => `/tasks/${id}${action}`),
    text.map((t) => `/${encodeURIComponent(t)}`),
  ),
  query: fc.dictionary(
    fc.constantFrom(
      'historyLength',
      'pageSize',
      'pageToken',
      'status',
      'contextId',
      'includeArtifacts',
      'A2A-Version',
      'x',
    ),
    fc.oneof(text, fc.integer().map(String)),
    { maxKeys: 3 },
  ),
  body: fc.option(
    jsonRpcBody.map((b) => b),
    { nil: undefined },
  ),
  sendBody: fc.option(
    params.map((p) => JSON.stringify(p)),
    { nil: undefined },
  ),
});

function heapAfterGc(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Sends one request and reads the whole answer (an SSE stream to its end, bounded in time). */
async function exchange(
  url: string,
  init: RequestInit,
): Promise<{ status: number; type: string; text: string }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

/** Every `data:` of an SSE body, parsed. */
function sseData(body: string): Json[] {
  return body
    .split('\n')
    .filter((line) => line.startsWith('data:'))
    .map((line) => JSON.parse(line.slice(5)));
}

describe('fuzzing both A2A bindings', () => {
  let b: A2ABrain;
  let url: string;
  const statuses = new Map<string, number>();

  beforeAll(async () => {
    b = await startA2ABrain(conformanceAgent, 'a2afuzz');
    url = b.agents[0].url;
  }, 60_000);

  afterAll(async () => {
    console.log(`fuzz answers by binding and status: ${JSON.stringify(Object.fromEntries(statuses))}`);
    await b?.close();
  });

  const count = (key: string) => statuses.set(key, (statuses.get(key) ?? 0) + 1);

  const requestHeaders = (h: { contentType: string; version: string; key: string | null }) => ({
    ...(h.contentType ? { 'content-type': h.contentType } : {}),
    ...(h.version ? { 'a2a-version': h.version } : {}),
    ...(h.key ? { authorization: `Bearer ${h.key}` } : {}),
  });

  /** A JSON-RPC answer: the envelope, a code the table knows, nothing leaked. */
  function checkJsonRpc(answer: { status: number; type: string; text: string }, legacy: boolean): void {
    expect(answer.text).not.toMatch(LEAK);
    if (answer.status === 204) {
      expect(answer.text).toBe('');
      return;
    }
    expect([200, 201, 401, 413, 415]).toContain(answer.status);
    const bodies = answer.type.startsWith('text/event-stream')
      ? sseData(answer.text)
      : [JSON.parse(answer.text)];
    for (const body of bodies) {
      expect(body.jsonrpc).toBe('2.0');
      if (body.error === undefined) continue;
      expect(Number.isInteger(body.error.code)).toBe(true);
      // v0.3 goes through the SDK's own codes; what it throws itself is sanitized.
      if (!legacy) expect(JSON_RPC_CODES.has(body.error.code)).toBe(true);
      else if (body.error.code === -32603) expect(body.error.message).toMatch(/\(error id [0-9a-f]{16}\)$/);
    }
  }

  it(`answers ${RUNS_PER_BINDING} malformed JSON-RPC requests in the JSON-RPC format`, async () => {
    await fc.assert(
      fc.asyncProperty(jsonRpcBody, headers, async (body, h) => {
        const answer = await exchange(`${url}/a2a/jsonrpc`, {
          method: 'POST',
          headers: requestHeaders(h),
          body,
        });
        count(`JSONRPC ${answer.status}`);
        checkJsonRpc(answer, h.version === '0.3' || h.version === '');
      }),
      { numRuns: RUNS_PER_BINDING, seed: 20_261_206 },
    );
  }, 120_000);

  it(`answers ${RUNS_PER_BINDING} malformed HTTP+JSON requests with google.rpc.Status bodies`, async () => {
    await fc.assert(
      fc.asyncProperty(restRequest, headers, async (r, h) => {
        const q = new URLSearchParams(r.query).toString();
        const body = r.path.startsWith('/message') ? (r.sendBody ?? r.body) : r.body;
        const withBody = r.verb !== 'GET' && body !== undefined;
        const answer = await exchange(`${url}/a2a/rest${r.path}${q ? `?${q}` : ''}`, {
          method: r.verb,
          headers: requestHeaders({ ...h, contentType: withBody ? h.contentType : '' }),
          ...(withBody ? { body } : {}),
        });
        count(`HTTP+JSON ${answer.status}`);
        expect(answer.text).not.toMatch(LEAK);
        const version = h.version !== '' ? h.version : (r.query['A2A-Version'] ?? '');
        const legacy = version.trim() === '' || /^0\.3(\.\d+)?$/.test(version.trim());
        expect(answer.status).toBeLessThan(500);
        if (answer.type.startsWith('text/event-stream')) {
          sseData(answer.text);
          return;
        }
        const json = answer.text ? JSON.parse(answer.text) : undefined;
        if (answer.status >= 400 && !legacy) {
          expect(json.error).toMatchObject({
            code: answer.status,
            status: expect.any(String),
            message: expect.any(String),
          });
          expect(Array.isArray(json.error.details)).toBe(true);
        }
      }),
      { numRuns: RUNS_PER_BINDING, seed: 20_261_207 },
    );
  }, 120_000);

  it('stays ready, and the heap does not grow with the requests', async () => {
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    // A second round of the same mix: what each request leaves behind would add up here.
    const before = heapAfterGc();
    await fc.assert(
      fc.asyncProperty(jsonRpcBody, headers, async (body, h) => {
        checkJsonRpc(
          await exchange(`${url}/a2a/jsonrpc`, { method: 'POST', headers: requestHeaders(h), body }),
          true,
        );
      }),
      { numRuns: 300, seed: 20_261_208 },
    );
    const grownMb = (heapAfterGc() - before) / 1_048_576;
    console.log(`heap after 300 more fuzzed requests: ${grownMb.toFixed(1)} MB more`);
    expect(grownMb).toBeLessThan(25);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
  }, 120_000);
});
