import { REPLY_ERROR_HEADER } from '@forge/bus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok } from '../../test/gateway-fixtures.js';
import { type Harness, startHarness, testRoutingConfig } from '../../test/harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    config: await testRoutingConfig({ routes: { 'edge.score': { tier: 'small' } } }),
  });
});

afterAll(async () => {
  await h?.close();
});

/** Sends raw bytes to the gateway, as a client outside Forge could, and reads the error reply. */
async function raw(body: string): Promise<{ code: string | undefined; message: string }> {
  const reply = await h.bus.nc.request(h.bus.subjects.modelCall, new TextEncoder().encode(body), {
    timeout: 5_000,
  });
  const parsed = JSON.parse(new TextDecoder().decode(reply.data)) as { message: string };
  return { code: reply.headers?.get(REPLY_ERROR_HEADER), message: parsed.message };
}

describe('model gateway on NATS: malformed requests', () => {
  it('answers each with a BAD_INPUT naming the field, and keeps serving', async () => {
    const notJson = await raw('{"v": 1, "taskId": ');
    expect(notJson.code).toBe('BAD_INPUT');
    const wrong = await raw(
      JSON.stringify({
        v: 1,
        taskId: 'not-a-uuid',
        attempt: 0,
        callId: 0,
        skill: 'edge.score',
        purpose: 'classify',
        messages: [],
        maxTokens: 10,
      }),
    );
    expect(wrong.code).toBe('BAD_INPUT');
    expect(wrong.message).toMatch(/taskId/);
    expect(wrong.message).toMatch(/attempt/);
    expect(wrong.message).toMatch(/messages/);
    expect(h.fake.requests).toHaveLength(0);
    // The same gateway still answers a good call.
    const task = await h.task({ skill: 'edge.score' });
    expect(ok(await h.call(task, {})).tier).toBe('small');
  });

  it('answers a call for a task that does not exist with NOT_FOUND, without calling a model', async () => {
    const reply = await h.call({ ...(await h.task({ skill: 'edge.score' })), id: crypto.randomUUID() }, {});
    expect(reply).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});
