import { setTimeout as sleep } from 'node:timers/promises';
import { ForgeError } from '@forge/contracts';
import { ApiKeyStore, hashApiKey } from '@forge/service-runtime';
import type { TestBrain } from '@forge/testkit';
import { z } from 'zod';
import { type AgentService, createAgentService } from '../service/agent-service.js';
import type { AgentConfig } from '../service/config.js';
import { type AgentDefinition, defineAgent } from '../skills/define-agent.js';
import { defineSkill } from '../skills/define-skill.js';

/** Two callers and their keys. */
export const KEYS = { alice: 'alice-key-0123456789', bob: 'bob-key-0123456789' } as const;

export function testKeys(): ApiKeyStore {
  const createdAt = new Date().toISOString();
  return new ApiKeyStore({
    v: 1,
    keys: Object.entries(KEYS).map(([principal, key]) => ({ principal, sha256: hashApiKey(key), createdAt })),
  });
}

/** How often each skill's handler ran, per test agent. */
export interface RunCounts {
  echo: number;
  slow: number;
  fail: number;
  ask: number;
  flaky: number;
}

/**
 * A small agent for the tests: `echo` (fast), `slow` (sleeps `ms`, abortable), `fail`
 * (non-retryable failure), `flaky` (a retryable failure, every time), `ask` (ends in
 * input-required unless the input says `approved`).
 */
export function testAgent(name = 'tester'): { agent: AgentDefinition; runs: RunCounts } {
  const runs: RunCounts = { echo: 0, slow: 0, fail: 0, ask: 0, flaky: 0 };
  const agent = defineAgent({
    name,
    description: 'An agent for the agent-kit tests.',
    version: '1.2.3',
    defaultSkill: 'echo',
    skills: [
      defineSkill({
        id: 'echo',
        description: 'Echoes the text it gets.',
        tags: ['test'],
        examples: ['{"text":"hi"}'],
        input: z.object({ text: z.string().min(1) }),
        output: z.object({ echo: z.string() }),
        tier: 'tool',
        handler: async ({ text }) => {
          runs.echo += 1;
          return { echo: text };
        },
      }),
      defineSkill({
        id: 'slow',
        description: 'Sleeps, then says how long and on which attempt.',
        input: z.object({ ms: z.number().int().min(0).max(10_000) }),
        output: z.object({ slept: z.number(), attempt: z.number() }),
        tier: 'small',
        handler: async ({ ms }, ctx) => {
          runs.slow += 1;
          await ctx.progress('sleeping');
          await sleep(ms, undefined, { signal: ctx.signal });
          return { slept: ms, attempt: ctx.task.attempt };
        },
      }),
      defineSkill({
        id: 'fail',
        description: 'Always fails, for good.',
        input: z.object({}).loose(),
        output: z.object({}),
        tier: 'mid',
        critical: true,
        handler: async () => {
          runs.fail += 1;
          throw new ForgeError('PROVIDER_ERROR', 'the model refused', { retryable: false });
        },
      }),
      defineSkill({
        id: 'flaky',
        description: 'Fails in a way worth retrying, every time.',
        input: z.object({}).loose(),
        output: z.object({}),
        tier: 'small',
        handler: async () => {
          runs.flaky += 1;
          throw new ForgeError('UNAVAILABLE', 'the gateway is away', { retryable: true });
        },
      }),
      defineSkill({
        id: 'ask',
        description: 'Needs an approval.',
        input: z.object({ approved: z.boolean().default(false) }),
        output: z.object({ done: z.literal(true) }),
        tier: 'frontier',
        handler: async ({ approved }, ctx) => {
          runs.ask += 1;
          if (!approved) ctx.requireInput('a person must approve this');
          return { done: true as const };
        },
      }),
    ],
  });
  return { agent, runs };
}

export function testConfig(brain: TestBrain, overrides: Partial<AgentConfig> = {}): AgentConfig {
  return {
    brain: brain.name,
    host: '127.0.0.1',
    port: 0,
    natsUrl: brain.natsUrl,
    databaseUrl: brain.databaseUrl,
    concurrency: 4,
    shutdownGraceMs: 5_000,
    logLevel: 'warn',
    bodyLimit: '16kb',
    statusQuietMs: 500,
    ackWaitMs: 6_000,
    backoffMs: [200],
    blockingWaitMs: 10_000,
    ...overrides,
  };
}

/**
 * Starts an instance of `agent` in `brain`; the caller stops it. No router runs in the kit's
 * tests, so new tasks go straight to the agent (`testOnlyDirectDispatch`).
 */
export async function startInstance(
  agent: AgentDefinition,
  brain: TestBrain,
  overrides: Partial<AgentConfig> = {},
): Promise<AgentService> {
  const service = createAgentService(agent, testConfig(brain, overrides), {
    apiKeys: testKeys(),
    testOnlyDirectDispatch: true,
  });
  await service.start();
  return service;
}

/** A raw JSON-RPC call (v1.0) with a caller's key. */
export async function rpc(
  service: AgentService,
  method: string,
  params: unknown,
  /** null: send no key at all. */
  key: string | null = KEYS.alice,
): Promise<{ status: number; body: { result?: unknown; error?: { code: number; message: string } } }> {
  const res = await fetch(`${service.url}/a2a/jsonrpc`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'a2a-version': '1.0',
      ...(key ? { authorization: `Bearer ${key}` } : {}),
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return { status: res.status, body: (await res.json()) as never };
}

/** A v1.0 JSON message naming a skill. */
export function message(skill: string, input: unknown, messageId = crypto.randomUUID()) {
  return { messageId, role: 'ROLE_USER', parts: [{ data: input }], metadata: { skill } };
}

/** Polls GetTask until `pred` holds (bounded). */
export async function waitForTask(
  service: AgentService,
  id: string,
  pred: (task: { status?: { state?: string } }) => boolean,
  timeoutMs = 8_000,
  key: string = KEYS.alice,
): Promise<{ status?: { state?: string }; artifacts?: unknown[]; metadata?: Record<string, unknown> }> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await rpc(service, 'GetTask', { id }, key);
    const task = body.result as { status?: { state?: string } };
    if (task && pred(task)) return task;
    if (Date.now() > until) throw new Error(`task ${id} never matched; last: ${JSON.stringify(body)}`);
    await sleep(50);
  }
}
