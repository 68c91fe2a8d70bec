import type { Client } from '@a2a-js/sdk/client';
import { KEYS } from './a2a-brain.js';

/** The two A2A bindings Forge serves. */
export type Binding = 'JSONRPC' | 'HTTP+JSON';
export const BINDINGS: readonly Binding[] = ['JSONRPC', 'HTTP+JSON'];

/** JSON read back to be checked by `expect`, field by field. */
// biome-ignore lint/suspicious/noExplicitAny: a test's view of JSON it asserts on
export type Json = any;

/** One answer, the same shape for both bindings. */
export interface WireAnswer {
  readonly status: number;
  readonly headers: Headers;
  /** The operation's result (JSON-RPC `result`, HTTP+JSON body) when it succeeded. */
  readonly result?: Json;
  /** The binding's error code: JSON-RPC `error.code`, or the HTTP status. */
  readonly code?: number;
  readonly message?: string;
  /** The `google.rpc.ErrorInfo` of the error, if it carried one. */
  readonly errorInfo?: Json;
  readonly body: Json;
}

let ids = 0;

/** An operation as raw HTTP, the way an outside client puts it on each binding (A2A v1.0 §9, §11). */
export async function a2a(
  baseUrl: string,
  binding: Binding,
  method: string,
  params: Record<string, Json> = {},
  options: { key?: string | null; version?: string | null } = {},
): Promise<WireAnswer> {
  const key = options.key === undefined ? KEYS.alice : options.key;
  const headers: Record<string, string> = {
    ...(key ? { authorization: `Bearer ${key}` } : {}),
    ...(options.version === null ? {} : { 'a2a-version': options.version ?? '1.0' }),
  };
  if (binding === 'JSONRPC') {
    const id = ++ids;
    const res = await fetch(`${baseUrl}/a2a/jsonrpc`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id, method, params }),
    });
    const body = (await res.json()) as Json;
    const info = body.error?.data?.find((d: Json) => String(d['@type']).endsWith('ErrorInfo'));
    return {
      status: res.status,
      headers: res.headers,
      body,
      result: body.result,
      code: body.error?.code,
      message: body.error?.message,
      errorInfo: info,
    };
  }
  const { verb, path, body: payload } = restRequest(method, params);
  const res = await fetch(`${baseUrl}/a2a/rest${path}`, {
    method: verb,
    headers: { ...headers, ...(payload === undefined ? {} : { 'content-type': 'application/a2a+json' }) },
    ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
  });
  const text = await res.text();
  const body = (text ? JSON.parse(text) : {}) as Json;
  const ok = res.status >= 200 && res.status < 300;
  const info = body.error?.details?.find((d: Json) => String(d['@type']).endsWith('ErrorInfo'));
  return {
    status: res.status,
    headers: res.headers,
    body,
    ...(ok ? { result: body } : { code: res.status, message: body.error?.message, errorInfo: info }),
  };
}

function query(params: Record<string, Json>, skip: string[] = []): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (!skip.includes(k) && v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** The HTTP+JSON request of an operation (A2A v1.0 §11.3). */
function restRequest(
  method: string,
  params: Record<string, Json>,
): { verb: string; path: string; body?: Json } {
  const id = encodeURIComponent(String(params.id ?? params.taskId ?? ''));
  switch (method) {
    case 'SendMessage':
      return { verb: 'POST', path: '/message:send', body: params };
    case 'GetTask':
      return { verb: 'GET', path: `/tasks/${id}${query(params, ['id'])}` };
    case 'ListTasks':
      return { verb: 'GET', path: `/tasks${query(params)}` };
    case 'CancelTask':
      return { verb: 'POST', path: `/tasks/${id}:cancel`, body: {} };
    case 'CreateTaskPushNotificationConfig':
      return { verb: 'POST', path: `/tasks/${id}/pushNotificationConfigs`, body: params };
    case 'GetExtendedAgentCard':
      return { verb: 'GET', path: '/extendedAgentCard' };
    default:
      throw new Error(`no REST mapping for ${method} in the test client`);
  }
}

/** The SDK's own client speaking v1.0 over one binding: what an outside A2A caller uses. */
export async function sdkClient(
  baseUrl: string,
  binding: Binding,
  key: string = KEYS.alice,
): Promise<Client> {
  const {
    ClientFactory,
    ClientFactoryOptions,
    DefaultAgentCardResolver,
    JsonRpcTransportFactory,
    RestTransportFactory,
  } = await import('@a2a-js/sdk/client');
  const fetchImpl: typeof fetch = (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set('authorization', `Bearer ${key}`);
    return fetch(input, { ...init, headers });
  };
  return new ClientFactory(
    ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
      transports: [new JsonRpcTransportFactory({ fetchImpl }), new RestTransportFactory({ fetchImpl })],
      cardResolver: new DefaultAgentCardResolver({ fetchImpl }),
      preferredTransports: [binding],
    }),
  ).createFromUrl(baseUrl);
}

/** A v1.0 message for a skill of the conformance agent, as JSON. */
export function skillMessage(skill: string, input: Json, extra: Record<string, Json> = {}): Json {
  return {
    messageId: crypto.randomUUID(),
    role: 'ROLE_USER',
    parts: [{ data: input }],
    metadata: { skill },
    ...extra,
  };
}

/** Reads an SSE response to the end (or until `limit` events), parsing each `data:` line. */
export async function readSse(res: Response, limit = 1_000): Promise<Array<{ event: string; data: Json }>> {
  const events: Array<{ event: string; data: Json }> = [];
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let event = 'message';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += value;
    for (let at = buffer.indexOf('\n'); at >= 0; at = buffer.indexOf('\n')) {
      const line = buffer.slice(0, at).replace(/\r$/, '');
      buffer = buffer.slice(at + 1);
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) {
        events.push({ event, data: JSON.parse(line.slice(5)) });
        event = 'message';
        if (events.length >= limit) {
          await reader.cancel();
          return events;
        }
      }
    }
  }
  return events;
}
