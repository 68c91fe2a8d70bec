import { type AgentService, createAgentService } from '@forge/agent-kit';
import { createPool, migrate, PgScoutRepository, schemaForBrain } from '@forge/store';
import { createLogger, type Logger } from '@forge/telemetry';
import type pg from 'pg';
import { createScoutAgent } from './agent.js';
import type { ScoutConfig } from './config.js';
import { loadFeedsConfig } from './feeds-config.js';

/** The scout as a process: its feeds config and tables, then the kit's agent service around its skills. */
export interface ScoutService {
  /** Reads the feeds config (BAD_CONFIG naming the field: do not start), migrates, syncs the feeds, serves. */
  start(): Promise<void>;
  /** The kit's shutdown path, then the scout's own pool. Safe to call twice. */
  stop(): Promise<void>;
  readonly agent: AgentService | undefined;
}

export function createScoutService(config: ScoutConfig, deps: { logger?: Logger } = {}): ScoutService {
  const logger = deps.logger ?? createLogger({ name: 'forge-scout', level: config.agent.logLevel });
  let pool: pg.Pool | undefined;
  let agent: AgentService | undefined;
  let stopped: Promise<void> | undefined;
  return {
    async start() {
      const feeds = await loadFeedsConfig(config.feedsConfigPath, config.feedVars);
      const schema = schemaForBrain(config.agent.brain);
      await migrate({ databaseUrl: config.agent.databaseUrl, schema, logger });
      pool = createPool({
        connectionString: config.agent.databaseUrl,
        max: config.pgPoolMax,
        applicationName: 'forge-scout-feeds',
        logger,
      });
      const repo = new PgScoutRepository(pool, schema);
      await repo.syncFeeds(feeds.feeds.map((f) => ({ id: f.id, url: f.url, tags: f.tags })));
      const local = feeds.feeds.filter((f) => f.local).map((f) => f.id);
      logger.info(
        {
          feeds: feeds.feeds.length,
          local,
          threshold: feeds.scoring.threshold,
          config: config.feedsConfigPath,
        },
        `feeds config: ${feeds.feeds.length} feeds${local.length ? ` (${local.length} local: loopback allowed)` : ''}`,
      );
      agent = createAgentService(createScoutAgent({ feeds, repo }), config.agent, { logger });
      await agent.start();
    },
    stop() {
      stopped ??= (async () => {
        await agent?.stop();
        await pool?.end().catch(() => undefined);
      })();
      return stopped;
    },
    get agent() {
      return agent;
    },
  };
}
