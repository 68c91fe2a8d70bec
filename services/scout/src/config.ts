import { fileURLToPath } from 'node:url';
import { type AgentConfig, loadAgentConfig } from '@forge/agent-kit';
import { describeIssues, ForgeError } from '@forge/contracts';
import { z } from 'zod';

/** The repo's `config/feeds.yaml`: `src/config.ts` and `dist/config.js` both sit three levels below the root. */
export const DEFAULT_FEEDS_CONFIG_PATH = fileURLToPath(
  new URL('../../../config/feeds.yaml', import.meta.url),
);

const emptyAsUnset = (v: unknown) => (v === '' ? undefined : v);

const ScoutEnv = z.object({
  FORGE_FEEDS_CONFIG: z.preprocess(emptyAsUnset, z.string().min(1).default(DEFAULT_FEEDS_CONFIG_PATH)),
  FORGE_DAY_URL: z.preprocess(emptyAsUnset, z.url({ protocol: /^https?$/ }).optional()),
  FORGE_PG_POOL_MAX: z.preprocess(emptyAsUnset, z.coerce.number().int().min(1).max(100).default(4)),
});

/** The environment variables the scout reads beside the kit's (the chart's drift check uses them). */
export const SCOUT_ENV_VARIABLES: readonly string[] = Object.keys(ScoutEnv.shape);

export interface ScoutConfig {
  /** The kit's part (port, NATS, Postgres, keys, concurrency, ...). */
  agent: AgentConfig;
  /** The feeds file (`FORGE_FEEDS_CONFIG`, default the repo's `config/feeds.yaml`). */
  feedsConfigPath: string;
  /** `${NAME}` values for the feeds file. */
  feedVars: Record<string, string | undefined>;
  /** The scout's own pool (feeds and items), beside the kit's. */
  pgPoolMax: number;
}

/**
 * Reads the scout's configuration from `env`: agent-kit's variables plus the feeds file and the
 * URL of the offline day's loopback server (`FORGE_DAY_URL`, set by `forge up`). BAD_CONFIG lists
 * every bad variable at once.
 */
export function loadScoutConfig(env: Record<string, string | undefined>): ScoutConfig {
  const issues: string[] = [];
  let agent: AgentConfig | undefined;
  try {
    agent = loadAgentConfig(env);
  } catch (error) {
    const listed = (error as ForgeError).details?.issues;
    issues.push(...(Array.isArray(listed) ? (listed as string[]) : [(error as Error).message]));
  }
  const parsed = ScoutEnv.safeParse(env);
  if (!parsed.success) issues.push(...describeIssues(parsed.error));
  if (issues.length > 0 || !agent || !parsed.success) {
    throw new ForgeError('BAD_CONFIG', `invalid scout configuration: ${issues.join('; ')}`, {
      retryable: false,
      details: { issues },
    });
  }
  return {
    agent,
    feedsConfigPath: parsed.data.FORGE_FEEDS_CONFIG,
    feedVars: { FORGE_DAY_URL: parsed.data.FORGE_DAY_URL },
    pgPoolMax: parsed.data.FORGE_PG_POOL_MAX,
  };
}
