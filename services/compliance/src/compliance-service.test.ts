import { type AgentService, createAgentService } from '@forge/agent-kit';
import { ApiKeyStore, hashApiKey } from '@forge/service-runtime';
import { type TestBrain, testBrain } from '@forge/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { complianceAgent } from './index.js';

const KEY = 'compliance-test-key-0123456789';

/** One JSON-RPC call (A2A v1.0) with the test caller's key. */
async function rpc(service: AgentService, method: string, params: unknown) {
  const res = await fetch(`${service.url}/a2a/jsonrpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'a2a-version': '1.0', authorization: `Bearer ${KEY}` },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return (await res.json()) as {
    result?: { task?: Record<string, unknown> };
    error?: { code: number; message: string };
  };
}

function send(service: AgentService, parts: unknown[], skill?: string) {
  return rpc(service, 'SendMessage', {
    message: {
      messageId: crypto.randomUUID(),
      role: 'ROLE_USER',
      parts,
      ...(skill ? { metadata: { skill } } : {}),
    },
    configuration: { blocking: true },
  });
}

describe('compliance service over A2A, on the real NATS and Postgres', () => {
  let brain: TestBrain;
  let service: AgentService;

  beforeAll(async () => {
    brain = await testBrain('compliance');
    const apiKeys = new ApiKeyStore({
      v: 1,
      keys: [{ principal: 'tester', sha256: hashApiKey(KEY), createdAt: new Date().toISOString() }],
    });
    service = createAgentService(
      complianceAgent,
      {
        brain: brain.name,
        host: '127.0.0.1',
        port: 0,
        natsUrl: brain.natsUrl,
        databaseUrl: brain.databaseUrl,
        concurrency: 2,
        shutdownGraceMs: 5_000,
        logLevel: 'warn',
        bodyLimit: '256kb',
        blockingWaitMs: 10_000,
      },
      // No router runs here: the task goes straight to the agent (a test-only path).
      { apiKeys, testOnlyDirectDispatch: true },
    );
    await service.start();
  });

  afterAll(async () => {
    await service?.stop();
    await brain?.cleanup();
  });

  it('runs check-text as a task and returns the decision with its violations', async () => {
    const text = 'Our weed cures anxiety. Call 555-123-4567.';
    const { result, error } = await send(
      service,
      [{ data: { text, channel: 'x' } }],
      'compliance.check-text',
    );
    expect(error).toBeUndefined();
    const task = result!.task as {
      status: { state: string };
      artifacts: { parts: { data: { decision: string; violations: { ruleId: string }[] } }[] }[];
    };
    expect(task.status.state).toBe('TASK_STATE_COMPLETED');
    const output = task.artifacts[0]!.parts[0]!.data;
    expect(output.decision).toBe('block');
    expect(output.violations.map((v) => v.ruleId)).toEqual([
      'age-line-missing',
      'health-claim',
      'personal-phone',
    ]);
  });

  it('sends a message naming no skill to check-text and names the missing field', async () => {
    const { error } = await send(service, [{ text: 'Plain words for a channel nobody named.' }]);
    expect(error?.message).toContain('invalid input for compliance.check-text: input.channel');
  });
});
