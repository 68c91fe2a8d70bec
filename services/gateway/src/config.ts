import { type AgentConfig, loadAgentConfig } from '@forge/agent-kit';
import { ForgeError } from '@forge/contracts';
import { hostForUrl, intFromEnv, parseEnv } from '@forge/service-runtime';
import { z } from 'zod';

/** `scout=http://127.0.0.1:7101,compliance=http://127.0.0.1:7103`: where this brain's agents answer A2A. */
const AgentUrls = z
  .string()
  .min(1)
  .transform((text, ctx) => {
    const out: Record<string, string> = {};
    for (const [i, entry] of text.split(',').entries()) {
      const match = /^([a-z][a-z0-9-]*)=(https?:\/\/\S+)$/.exec(entry.trim());
      if (!match) {
        ctx.addIssue({ code: 'custom', message: `entry ${i + 1}: must be <agent>=<http(s) URL>` });
        continue;
      }
      out[match[1]!] = match[2]!.replace(/\/$/, '');
    }
    return out;
  });

const GatewayEnv = z.object({
  /** The federation config (partners, shares, keys). */
  FORGE_FEDERATION_CONFIG: z.string().min(1),
  /** The port partners reach (the public face); the service's own FORGE_PORT stays in the mesh. */
  FORGE_GATEWAY_PORT: intFromEnv(0, 65535),
  FORGE_GATEWAY_HOST: z.string().min(1).default('127.0.0.1'),
  FORGE_AGENT_URLS: AgentUrls,
  /** The gateway's own API key at this brain's agents (one that may act for `partner:` principals). */
  FORGE_GATEWAY_KEY_FILE: z.string().min(1),
  /** How long a partner's card (verified) is trusted before it is fetched again. */
  FORGE_PARTNER_CARD_TTL_MS: intFromEnv(1_000, 86_400_000, 300_000),
});

export const GATEWAY_ENV_VARIABLES: readonly string[] = Object.keys(GatewayEnv.shape);

export interface GatewayConfig {
  /** The `partners` agent this service also is (its mesh-facing A2A edge, its worker). */
  agent: AgentConfig;
  federationConfigPath: string;
  publicPort: number;
  publicHost: string;
  /** The bound-port URL when the federation config's publicUrl is not reachable locally (tests). */
  localPublicUrl(port: number): string;
  agentUrls: Readonly<Record<string, string>>;
  gatewayKeyFile: string;
  partnerCardTtlMs: number;
  /** Values for `${NAME}` in the federation config. */
  vars: Readonly<Record<string, string | undefined>>;
}

/** Reads the gateway's variables and the kit's, listing every bad one of both at once. */
export function loadGatewayConfig(env: Record<string, string | undefined>): GatewayConfig {
  const problems: string[] = [];
  let agent: AgentConfig | undefined;
  let g: z.output<typeof GatewayEnv> | undefined;
  try {
    agent = loadAgentConfig(env);
  } catch (error) {
    problems.push((error as Error).message);
  }
  try {
    g = parseEnv(GatewayEnv, env, 'invalid gateway configuration');
  } catch (error) {
    problems.push((error as Error).message);
  }
  if (!agent || !g) throw new ForgeError('BAD_CONFIG', problems.join('; '));
  const host = g.FORGE_GATEWAY_HOST;
  return {
    agent,
    federationConfigPath: g.FORGE_FEDERATION_CONFIG,
    publicPort: g.FORGE_GATEWAY_PORT,
    publicHost: host,
    localPublicUrl: (port) => `http://${hostForUrl(host)}:${port}`,
    agentUrls: g.FORGE_AGENT_URLS,
    gatewayKeyFile: g.FORGE_GATEWAY_KEY_FILE,
    partnerCardTtlMs: g.FORGE_PARTNER_CARD_TTL_MS,
    vars: env,
  };
}
