import { Agent as HttpAgent, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AgentService, createAgentService } from '@forge/agent-kit';
import type { Served } from '@forge/bus';
import { PartnerAskReply, PartnerAskRequest } from '@forge/contracts';
import {
  type FederationConfig,
  KeyRing,
  loadFederationConfig,
  RateLimiter,
  WatchedFile,
} from '@forge/federation';
import { closeHttpServer } from '@forge/service-runtime';
import { createLogger, type Logger } from '@forge/telemetry';
import type { GatewayConfig } from './config.js';
import { PartnerAuthenticator } from './partner-auth.js';
import { PartnerLink } from './partner-link.js';
import { PartnerSpend } from './partner-spend.js';
import { askPartner, partnersAgent } from './partners-agent.js';
import { boundPublicServer, createPublicApp } from './public-app.js';
import { PublicCard } from './public-card.js';

/** The gateway process: the `partners` agent in the mesh, and the public face partners call. */
export interface GatewayService {
  /** Reads the federation config and keys (BAD_CONFIG naming the field: do not start), then serves. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The public face's bound port (after start). */
  readonly publicPort: number;
  readonly links: ReadonlyMap<string, PartnerLink>;
  readonly federation: FederationConfig | undefined;
}

export function createGatewayService(config: GatewayConfig, deps: { logger?: Logger } = {}): GatewayService {
  const logger = deps.logger ?? createLogger({ name: 'forge-gateway', level: config.agent.logLevel });
  let agent: AgentService | undefined;
  let server: Server | undefined;
  let served: Served | undefined;
  let federation: FederationConfig | undefined;
  const links = new Map<string, PartnerLink>();
  // Idle sockets go before the agents' servers drop them (express keeps them 5 s).
  const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 256, timeout: 4_000 });
  let stopped: Promise<void> | undefined;

  return {
    async start() {
      const fed = await loadFederationConfig(config.federationConfigPath, config.vars);
      federation = fed;
      const ring = new KeyRing(fed.signingKeys);
      const signer = await ring.signer();
      const keyFile = new WatchedFile(config.gatewayKeyFile, (text) => text.trim());
      if (!(await keyFile.read()))
        throw new Error(`FORGE_GATEWAY_KEY_FILE ${config.gatewayKeyFile} is empty or missing`);
      for (const [name, partner] of Object.entries(fed.partners)) {
        links.set(
          name,
          new PartnerLink(name, partner, { env: config.vars, cardTtlMs: config.partnerCardTtlMs, logger }),
        );
      }
      agent = createAgentService(partnersAgent(links), config.agent, {
        logger,
        extension: (ctx) => ({
          start: async () => {
            served = ctx.bus.serve(
              ctx.bus.subjects.partnerAsk,
              PartnerAskRequest,
              PartnerAskReply,
              (request) => askPartner(links, request),
              { queue: 'gateway' },
            );
            await served.ready;
            const app = createPublicApp({
              config: fed,
              ring,
              card: new PublicCard({
                config: fed,
                ring,
                brain: ctx.brain,
                agentUrls: config.agentUrls,
                logger,
              }),
              auth: new PartnerAuthenticator(fed, ring),
              limiter: new RateLimiter(),
              spend: new PartnerSpend(ctx.pool, ctx.schema, fed),
              pool: ctx.pool,
              schema: ctx.schema,
              agentUrls: config.agentUrls,
              gatewayKey: async () => (await keyFile.read()) ?? '',
              bodyLimit: config.agent.bodyLimit,
              logger,
              httpAgent,
            });
            server = await new Promise<Server>((resolve, reject) => {
              const s = app.listen(config.publicPort, config.publicHost, () => resolve(s));
              s.once('error', reject);
            });
            boundPublicServer(server);
            logger.info(
              {
                port: (server.address() as AddressInfo).port,
                publicUrl: fed.publicUrl,
                kid: signer.kid,
                partners: Object.keys(fed.partners),
                shares: fed.shares,
              },
              'gateway public face listening',
            );
          },
          stop: async () => {
            if (server) await closeHttpServer(server, 3_000);
            await served?.stop();
            httpAgent.destroy();
          },
        }),
      });
      await agent.start();
    },
    stop() {
      stopped ??= (async () => {
        await agent?.stop();
      })();
      return stopped;
    },
    get publicPort() {
      return server ? (server.address() as AddressInfo).port : 0;
    },
    links,
    get federation() {
      return federation;
    },
  };
}
