import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bus } from '@forge/bus';
import type { SkillManifest } from '@forge/contracts';
import type { RoutingConfig } from '@forge/policy';
import { createRouterService, loadRouterConfig, type RouterService } from '@forge/service-router';
import { createPool, PgSkillRegistry, schemaForBrain } from '@forge/store';
import type { Logger } from '@forge/telemetry';
import { deleteBrainStreams, dropBrainSchema, type FakeLlm, uniqueBrain } from '@forge/testkit';
import { connect } from '@nats-io/transport-node';
import type pg from 'pg';

/** A brain of the bench's own: its router (in this process), the agents' bus, and a pool to read its tables. */
export interface BrainRouter {
  readonly brain: string;
  /** The brain's Postgres schema (`forge_<brain>`). */
  readonly schema: string;
  readonly router: RouterService;
  /** The bench's side of the bus: it plays the agents. */
  readonly bus: Bus;
  readonly pool: pg.Pool;
  /** Stops the router and removes the brain's streams and schema (unless `keep`). */
  stop(): Promise<void>;
}

export interface BrainRouterOptions {
  label: string;
  /** Routing config to run with; written to a file the router loads as it would `forge.yaml`. */
  config: RoutingConfig;
  /** Skill manifests registered before the first task, as the agent services do at start. */
  manifests: SkillManifest[];
  fake: FakeLlm;
  natsUrl: string;
  databaseUrl: string;
  logger: Logger;
  keep?: boolean;
  /** The simulated month's clock, for the gateway's prompt cache planner. */
  clock?: () => number;
}

/**
 * Starts a real router (route consumer, model gateway with admission and ledger) for a fresh
 * brain against the real NATS and Postgres. Every provider of the config is pointed at the fake
 * LLM server: Anthropic and OpenAI through their base URLs (with placeholder keys in the variables
 * the config names), OpenAI-compatible servers by rewriting their base URL.
 */
export async function startBrainRouter(opts: BrainRouterOptions): Promise<BrainRouter> {
  const brain = uniqueBrain(opts.label);
  const schema = schemaForBrain(brain);
  const dir = await mkdtemp(join(tmpdir(), 'forge-cost-month-'));
  const configPath = join(dir, 'routing.json');
  const openaiCompatible = Object.fromEntries(
    Object.entries(opts.config.providers.openaiCompatible).map(([name, spec]) => [
      name,
      { ...spec, baseUrl: opts.fake.openaiBaseUrl },
    ]),
  );
  const config = { ...opts.config, providers: { ...opts.config.providers, openaiCompatible } };
  await writeFile(configPath, JSON.stringify(config, null, 2));
  const keyEnv: Record<string, string> = {
    [config.providers.anthropic.apiKeyEnv]: 'sk-ant-bench-placeholder',
    [config.providers.openai.apiKeyEnv]: 'sk-bench-placeholder',
  };
  for (const spec of Object.values(openaiCompatible)) {
    if (spec.apiKeyEnv) keyEnv[spec.apiKeyEnv] = 'bench-placeholder';
  }
  const router = createRouterService(
    loadRouterConfig({
      ...keyEnv,
      FORGE_BRAIN: brain,
      FORGE_PORT: '0',
      NATS_URL: opts.natsUrl,
      DATABASE_URL: opts.databaseUrl,
      FORGE_ROUTING_CONFIG: configPath,
      FORGE_SHUTDOWN_GRACE_MS: '5000',
      ANTHROPIC_BASE_URL: opts.fake.anthropicBaseUrl,
      OPENAI_BASE_URL: opts.fake.openaiBaseUrl,
    }),
    { logger: opts.logger, ...(opts.clock ? { clock: opts.clock } : {}) },
  );
  let bus: Bus | undefined;
  let pool: pg.Pool | undefined;
  const cleanup = async () => {
    await router.stop().catch(() => undefined);
    await bus?.drain().catch(() => undefined);
    await pool?.end().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    if (opts.keep) return;
    // The bench's connection is drained by now: a short-lived one removes the streams.
    const nc = await connect({ servers: opts.natsUrl, name: 'cost-month-cleanup' });
    try {
      await deleteBrainStreams(nc, brain);
    } finally {
      await nc.close();
    }
    await dropBrainSchema(opts.databaseUrl, brain);
  };
  try {
    await router.start();
    pool = createPool({
      connectionString: opts.databaseUrl,
      max: 4,
      applicationName: 'forge-bench',
      logger: opts.logger,
    });
    await new PgSkillRegistry(pool, schema).register(opts.manifests);
    bus = await Bus.connect({
      servers: opts.natsUrl,
      name: `cost-month-${opts.label}`,
      brain,
      logger: opts.logger,
    });
  } catch (error) {
    await cleanup().catch(() => undefined);
    throw error;
  }
  return { brain, schema, router, bus, pool, stop: cleanup };
}
