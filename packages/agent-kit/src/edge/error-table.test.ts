import { ERROR_CODES, ERROR_SPECS, ForgeError } from '@forge/contracts';
import { InMemoryTaskRepository } from '@forge/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EdgeApp, startEdgeApp } from '../test-support/edge-app.js';
import { KEYS, type Loose, testAgent } from '../test-support/test-agent.js';

/**
 * The error table walked through both A2A bindings, code by code, over real HTTP: what the
 * operation throws is what the caller gets, as the code's row says (the router's OpenAI
 * endpoint and the bus's reply errors have their own walk of the same table).
 */
describe('every error code through both A2A bindings', () => {
  const tasks = new InMemoryTaskRepository();
  let app: EdgeApp;
  let throwing: ForgeError;

  beforeAll(async () => {
    tasks.list = async () => {
      throw throwing;
    };
    app = await startEdgeApp(testAgent().agent, tasks);
  });

  afterAll(async () => {
    await app?.close();
  });

  const DETAIL = 'postgres 42P05 at 10.1.2.3:5432';

  it.each([...ERROR_CODES])('%s', async (code) => {
    const spec = ERROR_SPECS[code];
    throwing = new ForgeError(code, `${code.toLowerCase()}: ${DETAIL}`, { details: { field: 'pageToken' } });
    const headers = { 'a2a-version': '1.0', authorization: `Bearer ${KEYS.alice}` };
    const rpc = await fetch(`${app.url}/a2a/jsonrpc`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 'walk', method: 'ListTasks', params: {} }),
    });
    const rpcBody = (await rpc.json()) as Loose;
    const rest = await fetch(`${app.url}/a2a/rest/tasks`, { headers });
    const restBody = (await rest.json()) as Loose;

    // The codes: JSON-RPC's from the A2A column, HTTP+JSON's status and google.rpc name.
    expect(rpcBody).toMatchObject({ jsonrpc: '2.0', id: 'walk', error: { code: spec.a2a.jsonRpcCode } });
    expect(rest.status).toBe(spec.a2a.httpStatus);
    expect(restBody.error).toMatchObject({ code: spec.a2a.httpStatus, status: spec.http.rpcStatus });
    const keepsStatus =
      spec.retryable || spec.http.status >= 500 || [401, 403, 413, 415].includes(spec.http.status);
    expect(rpc.status).toBe(keepsStatus ? spec.http.status : 200);

    // ErrorInfo: reason and domain from the row, the Forge code, the id of the log line.
    for (const details of [rpcBody.error.data, restBody.error.details]) {
      const info = details.find((d: Loose) => d['@type'] === 'type.googleapis.com/google.rpc.ErrorInfo');
      expect(info).toMatchObject({
        reason: spec.a2a.reason,
        domain: spec.a2a.domain,
        metadata: { code, retryable: String(spec.retryable) },
      });
      expect(
        app.logs.some((line) => line.errorId === info.metadata.errorId && String(line.err).includes(DETAIL)),
      ).toBe(true);
      const retry = details.find((d: Loose) => d['@type'] === 'type.googleapis.com/google.rpc.RetryInfo');
      expect(retry?.retryDelay).toBe(
        spec.retryAfterSeconds === undefined ? undefined : `${spec.retryAfterSeconds}s`,
      );
    }

    // "Try later" says when; the caller's own mistakes are shown, a server's faults are not.
    for (const res of [rpc, rest]) {
      expect(res.headers.get('retry-after')).toBe(
        spec.retryAfterSeconds === undefined ? null : String(spec.retryAfterSeconds),
      );
    }
    for (const message of [rpcBody.error.message as string, restBody.error.message as string]) {
      if (spec.showsMessage) expect(message).toContain(DETAIL);
      else
        expect(message).toBe(
          `${spec.message} (error id ${/\(error id ([0-9a-f]{16})\)$/.exec(message)?.[1]})`,
        );
    }
  });
});
