import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bus } from '@forge/bus';
import {
  MODEL_CALL_VERSION,
  ModelCallReply,
  ModelCallRequest,
  type SkillManifest,
  TASK_ENVELOPE_VERSION,
  type TaskEnvelope,
} from '@forge/contracts';
import { loadRoutingConfigFile, type RoutingConfigInput } from '@forge/policy';
import { hashApiKey } from '@forge/service-runtime';
import {
  createPool,
  PgBudgetRepository,
  PgCostLedger,
  PgRoutingDecisionRepository,
  PgSkillRegistry,
  PgTaskRepository,
  schemaForBrain,
} from '@forge/store';
import { createLogger, type Logger } from '@forge/telemetry';
import { type FakeLlm, startFakeLlm, type TestBrain, testBrain } from '@forge/testkit';
import type pg from 'pg';
import type { z } from 'zod';
import { DEFAULT_ROUTING_CONFIG_PATH, loadRouterConfig } from '../src/config.js';
import { createRouterService, type RouterService } from '../src/router-service.js';

/** A logger that writes nowhere, so test output stays readable. */
export function quietLogger(): Logger {
  return createLogger({ name: 'router-test', level: 'silent' });
}

/** A logger whose lines are collected as parsed JSON objects. */
export function capturingLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const destination = {
    write(chunk: string) {
      lines.push(JSON.parse(chunk) as Record<string, unknown>);
      return true;
    },
  } as unknown as NodeJS.WritableStream;
  return { logger: createLogger({ name: 'router-test', level: 'debug', destination }), lines };
}

/** The repo's real prices (config/forge.yaml), so tests price calls as production does. */
export async function realPrices(): Promise<RoutingConfigInput['prices']> {
  return (await loadRoutingConfigFile(DEFAULT_ROUTING_CONFIG_PATH)).prices as RoutingConfigInput['prices'];
}

/**
 * A routing config for tests: the real tiers and prices, short gateway times, no retries, and
 * whatever `overrides` set (replacing whole top-level sections).
 */
export async function testRoutingConfig(
  overrides: Partial<RoutingConfigInput> = {},
): Promise<RoutingConfigInput> {
  return {
    version: 'test-1',
    tiers: {
      small: ['anthropic:claude-haiku-5.5', 'openai:gpt-6-luna'],
      mid: ['anthropic:claude-sonnet-5.5', 'openai:gpt-6-sol'],
      frontier: ['anthropic:claude-opus-5.5', 'openai:gpt-6-astra'],
    },
    prices: await realPrices(),
    providers: {
      offline: {
        standIns: {
          small: 'anthropic:claude-haiku-5.5',
          mid: 'anthropic:claude-sonnet-5.5',
          frontier: 'anthropic:claude-opus-5.5',
        },
      },
    },
    routes: {},
    rules: [],
    budgets: {},
    escalation: { confidenceBelow: 0.6, schemaRetries: 1, onSchemaFailure: true },
    gateway: {
      timeouts: { firstTokenMs: 800, idleMs: 800, totalMs: 6000 },
      retries: { maxRetries: 0, backoffBaseMs: 10, backoffMaxMs: 50, maxRetryAfterMs: 2000 },
      // High, so failures in one test never open a breaker for the next; breaker tests lower it.
      breaker: { failureThreshold: 50, windowMs: 60_000, cooldownMs: 60_000 },
      reservationTtlMs: 60_000,
    },
    ...overrides,
  };
}

export interface HarnessOptions {
  config: RoutingConfigInput;
  /** Provider keys and other env; by default both vendors have keys and point at the fake LLM. */
  env?: Record<string, string | undefined>;
  /** `principal → key` written to an API keys file. */
  apiKeys?: Record<string, string>;
  /** A second router replica on the same brain. */
  replicas?: number;
  logger?: Logger;
  /** One clock for the fake's prompt cache and batches and the routers' cache planners. */
  clock?: () => number;
  /** The fake's batch delay on its clock (default 0: a batch ends when next read). */
  batchDelayMs?: number;
}

/** A brain with its router(s), the fake LLM, and direct handles on the tables, for one test file. */
export interface Harness {
  brain: TestBrain;
  fake: FakeLlm;
  routers: RouterService[];
  router: RouterService;
  bus: Bus;
  pool: pg.Pool;
  schema: string;
  dir: string;
  configPath: string;
  tasks: PgTaskRepository;
  skills: PgSkillRegistry;
  decisions: PgRoutingDecisionRepository;
  ledger: PgCostLedger;
  budgets: PgBudgetRepository;
  writeConfig(config: RoutingConfigInput | string): Promise<void>;
  /** Registers a skill and creates a task of it (not routed yet). */
  task(
    manifest: Partial<SkillManifest> & { skill: string },
    envelope?: Partial<TaskEnvelope>,
  ): Promise<TaskEnvelope>;
  /** A model call over NATS, as agent-kit makes it. */
  call(
    task: TaskEnvelope,
    request: Partial<z.input<typeof ModelCallRequest>>,
    timeoutMs?: number,
  ): Promise<ModelCallReply>;
  /** Starts one more router replica on the same brain (stopped by `close`). */
  addReplica(): Promise<RouterService>;
  /** Writes every queued ledger row and settlement of every replica. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

let callIds = 0;

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const brain = await testBrain('router');
  const fake = await startFakeLlm({
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.batchDelayMs === undefined ? {} : { batchDelayMs: options.batchDelayMs }),
  });
  const dir = await mkdtemp(join(tmpdir(), 'forge-router-'));
  const configPath = join(dir, 'forge.yaml');
  const writeConfig = (config: RoutingConfigInput | string) =>
    writeFile(configPath, typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  await writeConfig(options.config);
  let apiKeysFile: string | undefined;
  if (options.apiKeys) {
    apiKeysFile = join(dir, 'api-keys.json');
    const keys = Object.entries(options.apiKeys).map(([principal, key]) => ({
      principal,
      sha256: hashApiKey(key),
      createdAt: new Date().toISOString(),
    }));
    await writeFile(apiKeysFile, JSON.stringify({ v: 1, keys }));
  }
  const env = {
    FORGE_BRAIN: brain.name,
    FORGE_PORT: '0',
    NATS_URL: brain.natsUrl,
    DATABASE_URL: brain.databaseUrl,
    FORGE_ROUTING_CONFIG: configPath,
    FORGE_LEDGER_FLUSH_MS: '5',
    FORGE_SHUTDOWN_GRACE_MS: '3000',
    ANTHROPIC_API_KEY: 'sk-ant-test',
    OPENAI_API_KEY: 'sk-openai-test',
    ANTHROPIC_BASE_URL: fake.anthropicBaseUrl,
    OPENAI_BASE_URL: fake.openaiBaseUrl,
    ...(apiKeysFile ? { FORGE_API_KEYS_FILE: apiKeysFile } : {}),
    ...options.env,
  };
  const routers: RouterService[] = [];
  const schema = schemaForBrain(brain.name);
  const logger = options.logger ?? quietLogger();
  const addReplica = async (): Promise<RouterService> => {
    const router = createRouterService(loadRouterConfig(env), {
      logger,
      ...(options.clock ? { clock: options.clock } : {}),
    });
    routers.push(router);
    await router.start();
    return router;
  };
  for (let i = 0; i < (options.replicas ?? 1); i++) await addReplica();
  const pool = createPool({ connectionString: brain.databaseUrl, max: 4, logger });
  const bus = await Bus.connect({ servers: brain.natsUrl, name: 'router-test', brain: brain.name, logger });
  const tasks = new PgTaskRepository(pool, schema);
  const skills = new PgSkillRegistry(pool, schema);
  return {
    brain,
    fake,
    routers,
    router: routers[0]!,
    bus,
    pool,
    schema,
    dir,
    configPath,
    tasks,
    skills,
    decisions: new PgRoutingDecisionRepository(pool, schema),
    ledger: new PgCostLedger(pool, schema),
    budgets: new PgBudgetRepository(pool, schema),
    writeConfig,
    addReplica,
    async task(manifest, envelope = {}) {
      const full: SkillManifest = {
        agent: manifest.skill.split('.')[0]!,
        description: 'a test skill',
        tierHint: 'small',
        critical: false,
        inputSchema: { type: 'object' },
        outputSchema: { type: 'object' },
        ...manifest,
      };
      await skills.register([full]);
      const task: TaskEnvelope = {
        v: TASK_ENVELOPE_VERSION,
        id: randomUUID(),
        skill: full.skill,
        input: { text: 'hello' },
        origin: { kind: 'a2a', brain: brain.name, by: 'alice' },
        idempotencyKey: `alice:${randomUUID()}`,
        contextId: `ctx-${randomUUID()}`,
        createdAt: new Date().toISOString(),
        ...envelope,
      };
      await tasks.create(task);
      return task;
    },
    call(task, request, timeoutMs = 15_000) {
      const payload = {
        v: MODEL_CALL_VERSION as 1,
        taskId: task.id,
        attempt: 1,
        callId: callIds++,
        skill: task.skill,
        purpose: 'classify' as const,
        messages: [{ role: 'user' as const, content: 'Is this headline about cannabis compliance?' }],
        maxTokens: 200,
        ...request,
      };
      return bus.request(bus.subjects.modelCall, ModelCallRequest, payload, ModelCallReply, { timeoutMs });
    },
    async flush() {
      await Promise.all(routers.map((r) => r.ledger.flush()));
    },
    async close() {
      await Promise.allSettled(routers.map((r) => r.stop()));
      await bus.drain().catch(() => undefined);
      await pool.end().catch(() => undefined);
      await fake.close();
      await rm(dir, { recursive: true, force: true });
      await brain.cleanup();
    },
  };
}

/** Resolves once `check` returns true (polling every 10 ms); fails after `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
