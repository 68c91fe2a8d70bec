import { type AgentDefinition, type AgentService, createAgentService } from '@forge/agent-kit';
import { createRouterService, loadRouterConfig, type RouterService } from '@forge/service-router';
import { ApiKeyStore, hashApiKey } from '@forge/service-runtime';
import { createLogger } from '@forge/telemetry';
import { type TestBrain, testBrain } from '@forge/testkit';

/** Two callers, as partners and `forge send` present themselves. */
export const KEYS = { alice: 'alice-conformance-key-0001', bob: 'bob-conformance-key-0002' } as const;

/** A brain under test: the real router and two replicas of an agent dispatching through it. */
export interface A2ABrain {
  readonly brain: TestBrain;
  readonly router: RouterService;
  /** Two replicas of the agent (any may take a call, any may run its task). */
  readonly agents: readonly [AgentService, AgentService];
  close(): Promise<void>;
}

function keys(): ApiKeyStore {
  const createdAt = new Date().toISOString();
  return new ApiKeyStore({
    v: 1,
    keys: Object.entries(KEYS).map(([principal, key]) => ({ principal, sha256: hashApiKey(key), createdAt })),
  });
}

/**
 * Starts a brain of its own (streams and schema), the router on it (offline models, the repo's
 * routing config), and two replicas of `agent` (which always dispatch through the router): every task goes
 * `task.route` → router decision → `task.run.<agent>` → a worker, as under `forge up`.
 */
export async function startA2ABrain(agent: AgentDefinition, prefix: string): Promise<A2ABrain> {
  const brain = await testBrain(prefix);
  const logger = createLogger({ name: 'a2a-conformance', level: 'silent' });
  const router = createRouterService(
    loadRouterConfig({
      FORGE_BRAIN: brain.name,
      FORGE_PORT: '0',
      NATS_URL: brain.natsUrl,
      DATABASE_URL: brain.databaseUrl,
      FORGE_LEDGER_FLUSH_MS: '5',
      FORGE_SHUTDOWN_GRACE_MS: '2000',
      FORGE_LOG_LEVEL: 'silent',
    }),
    { logger },
  );
  await router.start();
  const start = async () => {
    const service = createAgentService(
      agent,
      {
        brain: brain.name,
        host: '127.0.0.1',
        port: 0,
        natsUrl: brain.natsUrl,
        databaseUrl: brain.databaseUrl,
        concurrency: 4,
        shutdownGraceMs: 3_000,
        logLevel: 'silent',
        bodyLimit: '256kb',
        statusQuietMs: 1_000,
        blockingWaitMs: 15_000,
      },
      { apiKeys: keys(), logger },
    );
    await service.start();
    return service;
  };
  const agents = [await start(), await start()] as const;
  return {
    brain,
    router,
    agents,
    async close() {
      await Promise.allSettled(agents.map((a) => a.stop()));
      await router.stop().catch(() => undefined);
      await brain.cleanup();
    },
  };
}
