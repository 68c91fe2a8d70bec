import { NatsModelClient } from '@forge/agent-kit';
import type { Bus } from '@forge/bus';
import type { NatsConnection } from '@nats-io/transport-node';
import OpenAI from 'openai';
import { BENCH_SKILL } from './setup.js';

/** One way to make one call; resolves when the answer is in. */
export type CallPath = () => Promise<unknown>;

/** The prompt every model path sends: a classification a small model would get. */
export const PROMPT =
  'Score this headline against the relevance rubric: Colorado regulators update METRC transfer rules.';
const MAX_TOKENS = 64;
const TIMEOUT_MS = 5_000;

/** The same request and answer sizes as the model paths, for the bare floors. */
const FLOOR_BODY = JSON.stringify({
  model: 'gpt-6-luna',
  messages: [{ role: 'user', content: PROMPT }],
  max_tokens: MAX_TOKENS,
  padding: 'x'.repeat(120),
});

/** (a) Straight to the provider through the official SDK: what a skill would do without Forge. */
export function directPath(openaiBaseUrl: string): CallPath {
  const client = new OpenAI({
    apiKey: 'sk-bench-placeholder',
    baseURL: openaiBaseUrl,
    maxRetries: 0,
    timeout: TIMEOUT_MS,
  });
  return () =>
    client.chat.completions.create({
      model: 'gpt-6-luna',
      messages: [{ role: 'user', content: PROMPT }],
      max_tokens: MAX_TOKENS,
    });
}

/**
 * (b) Through the model gateway as skills call it: agent-kit's NatsModelClient, one per task,
 * round robin (each call gets its own call id, so none is a replay of another).
 */
export function gatewayPath(bus: Bus, taskIds: readonly string[]): CallPath {
  const clients = taskIds.map(
    (taskId) =>
      new NatsModelClient(bus, { taskId, attempt: 1, skill: BENCH_SKILL }, { timeoutMs: TIMEOUT_MS }),
  );
  let next = 0;
  return () => {
    const client = clients[next++ % clients.length]!;
    return client.call({
      purpose: 'classify',
      messages: [{ role: 'user', content: PROMPT }],
      maxTokens: MAX_TOKENS,
    });
  };
}

/**
 * (b) without the skill's client: the same `model.call` request, its JSON written by hand, sent
 * with a core NATS request on a connection of the bench's own, the reply's `ok` read. The router
 * does exactly the same work; only the load generator's own cost (agent-kit's validation, spans,
 * the bus) is gone, so a ramp finds the routers' limit rather than the load generator's.
 */
export function rawGatewayPath(nc: NatsConnection, subject: string, taskIds: readonly string[]): CallPath {
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const messages = JSON.stringify([{ role: 'user', content: PROMPT }]);
  // Call ids far above NatsModelClient's, so no call is a replay of another path's.
  let next = 0;
  let callId = 1_000_000;
  return async () => {
    const taskId = taskIds[next++ % taskIds.length]!;
    const body = `{"v":1,"taskId":"${taskId}","attempt":1,"callId":${callId++},"skill":"${BENCH_SKILL}","purpose":"classify","messages":${messages},"maxTokens":${MAX_TOKENS}}`;
    const reply = await nc.request(subject, encoder.encode(body), { timeout: TIMEOUT_MS });
    const answer = JSON.parse(decoder.decode(reply.data)) as { ok?: boolean; error?: { message?: string } };
    if (answer.ok !== true) throw new Error(`gateway answered ${answer.error?.message ?? 'an error'}`);
  };
}

/** (c) The router's OpenAI-compatible endpoint through the same SDK, `forge:auto` (routed per call). */
export function httpPath(routerUrl: string, apiKey: string): CallPath {
  const client = new OpenAI({ apiKey, baseURL: `${routerUrl}/v1`, maxRetries: 0, timeout: TIMEOUT_MS });
  return () =>
    client.chat.completions.create({
      model: 'forge:auto',
      messages: [{ role: 'user', content: PROMPT }],
      max_tokens: MAX_TOKENS,
    });
}

/** Bare floor of (b): a core NATS request/reply to an echo responder in another process. */
export function natsEchoPath(nc: NatsConnection, subject: string): CallPath {
  const body = new TextEncoder().encode(FLOOR_BODY);
  return () => nc.request(subject, body, { timeout: TIMEOUT_MS });
}

/** Bare floor of (a) and (c): an HTTP POST with fetch (what the SDK uses) to an echo server in another process. */
export function httpEchoPath(url: string): CallPath {
  return async () => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: FLOOR_BODY,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!res.ok) throw new Error(`echo answered ${res.status}`);
    await res.text();
  };
}
