import { randomUUID } from 'node:crypto';

/** An A2A v1.0 answer as the test reads it. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

/** A v1.0 user message calling `skill` with `input` as its data part. */
export function skillMessage(
  skill: string,
  input: unknown,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    messageId: randomUUID(),
    role: 'ROLE_USER',
    parts: [{ data: input, mediaType: 'application/json' }],
    metadata: { skill },
    ...extra,
  };
}

/** POSTs one JSON-RPC request to `<base>/a2a/jsonrpc` with A2A-Version 1.0. */
export async function rpc(
  base: string,
  method: string,
  params: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const response = await fetch(`${base}/a2a/jsonrpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'a2a-version': '1.0', ...headers },
    body: JSON.stringify({ jsonrpc: '2.0', id: randomUUID(), method, params }),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: JSON.parse(text) as Record<string, unknown>,
  };
}

/** The task of a SendMessage/GetTask result (`{ task }` or the task itself). */
export function taskOf(answer: Answer): Record<string, unknown> {
  const result = answer.body.result as Record<string, unknown> | undefined;
  if (!result) throw new Error(`no result: ${JSON.stringify(answer.body).slice(0, 600)}`);
  return (result.task as Record<string, unknown> | undefined) ?? result;
}

/** The JSON of a task's `result` artifact. */
export function resultOf(task: Record<string, unknown>): unknown {
  const artifacts = (task.artifacts ?? []) as { artifactId: string; parts: { data?: unknown }[] }[];
  return artifacts.find((a) => a.artifactId === 'result')?.parts[0]?.data;
}

export function stateOf(task: Record<string, unknown>): string {
  return String((task.status as { state?: string } | undefined)?.state);
}

/** The status message text of a task. */
export function statusText(task: Record<string, unknown>): string {
  const message = (task.status as { message?: { parts?: { text?: string }[] } } | undefined)?.message;
  return (message?.parts ?? []).map((p) => p.text ?? '').join('\n');
}

/** An access token from a gateway's token endpoint (client credentials, HTTP Basic). */
export async function fetchToken(
  gatewayUrl: string,
  clientId: string,
  secret: string,
  scope?: string,
): Promise<Response> {
  return fetch(`${gatewayUrl}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) }),
  });
}
