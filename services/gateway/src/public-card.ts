import { AgentCard } from '@a2a-js/sdk';
import { type FederationConfig, type KeyRing, signCard } from '@forge/federation';
import type { Logger } from '@forge/telemetry';

export const JWKS_PATH = '/.well-known/jwks.json';
export const TOKEN_PATH = '/oauth/token';
export const OAUTH_METADATA_PATH = '/.well-known/oauth-authorization-server';
export const SCHEMES = { oauth2: 'partnerOAuth2', apiKey: 'partnerApiKey' } as const;

type SkillJson = {
  id: string;
  name?: string;
  description?: string;
  tags?: string[];
  examples?: string[];
  inputModes?: string[];
  outputModes?: string[];
};

/**
 * The gateway's A2A v1.0 card, signed. It lists only the shared skills (as the local agents'
 * cards describe them), the interfaces at `publicUrl` (right behind a proxy), and the schemes it
 * accepts: OAuth2 client credentials (token URL, one scope per skill) and an API key. The card is
 * rebuilt when the signing key changes or a minute has passed, so a rotation shows at once.
 */
export class PublicCard {
  readonly #config: FederationConfig;
  readonly #ring: KeyRing;
  readonly #brain: string;
  readonly #agentUrls: Readonly<Record<string, string>>;
  readonly #logger: Logger;
  #cached: { json: Record<string, unknown>; kid: string; at: number; complete: boolean } | null = null;
  #building: Promise<Record<string, unknown>> | null = null;

  constructor(deps: {
    config: FederationConfig;
    ring: KeyRing;
    brain: string;
    agentUrls: Readonly<Record<string, string>>;
    logger: Logger;
  }) {
    this.#config = deps.config;
    this.#ring = deps.ring;
    this.#brain = deps.brain;
    this.#agentUrls = deps.agentUrls;
    this.#logger = deps.logger;
  }

  /** The signed card as ProtoJSON. */
  async json(): Promise<Record<string, unknown>> {
    const kid = (await this.#ring.signer()).kid;
    const c = this.#cached;
    if (c && c.kid === kid && c.complete && Date.now() - c.at < 60_000) return c.json;
    this.#building ??= this.#build(kid).finally(() => {
      this.#building = null;
    });
    return this.#building;
  }

  async #build(kid: string): Promise<Record<string, unknown>> {
    const { skills, complete } = await this.#sharedSkills();
    const base = this.#config.publicUrl.replace(/\/$/, '');
    const scopes = Object.fromEntries(this.#config.shares.map((s) => [`skill:${s}`, `call ${s}`]));
    const card = AgentCard.fromJSON({
      name: `forge-${this.#brain}`,
      description: `What ${this.#config.organization} shares with its partners over A2A.`,
      version: '1.0.0',
      supportedInterfaces: [
        { url: `${base}/a2a/jsonrpc`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
        { url: `${base}/a2a/rest`, protocolBinding: 'HTTP+JSON', protocolVersion: '1.0' },
      ],
      provider: { organization: this.#config.organization, url: base },
      capabilities: { streaming: true, pushNotifications: false, extendedAgentCard: false },
      securitySchemes: {
        [SCHEMES.oauth2]: {
          oauth2SecurityScheme: {
            description: 'OAuth2 client credentials; the token is a JWT for this gateway, scoped per skill.',
            flows: { clientCredentials: { tokenUrl: `${base}${TOKEN_PATH}`, scopes } },
            oauth2MetadataUrl: `${base}${OAUTH_METADATA_PATH}`,
          },
        },
        [SCHEMES.apiKey]: {
          apiKeySecurityScheme: {
            location: 'header',
            name: 'X-API-Key',
            description: 'An API key issued to a partner.',
          },
        },
      },
      securityRequirements: [
        { schemes: { [SCHEMES.oauth2]: { list: Object.keys(scopes) } } },
        { schemes: { [SCHEMES.apiKey]: { list: [] } } },
      ],
      defaultInputModes: ['application/json', 'text/plain'],
      defaultOutputModes: ['application/json', 'text/plain'],
      skills,
    });
    const json = await signCard(
      AgentCard.toJSON(card) as Record<string, unknown>,
      this.#ring,
      `${base}${JWKS_PATH}`,
    );
    this.#cached = { json, kid, at: Date.now(), complete };
    return json;
  }

  /** The shared skills as their agents' cards describe them; a bare entry for an agent not reachable yet. */
  async #sharedSkills(): Promise<{ skills: SkillJson[]; complete: boolean }> {
    const byAgent = new Map<string, string[]>();
    for (const skill of this.#config.shares) {
      const agent = skill.slice(0, skill.indexOf('.'));
      byAgent.set(agent, [...(byAgent.get(agent) ?? []), skill]);
    }
    let complete = true;
    const lists = await Promise.all(
      [...byAgent].map(async ([agent, ids]) => {
        const url = this.#agentUrls[agent];
        const listed = url ? await this.#agentSkills(url) : null;
        if (listed === null) complete = false;
        return ids.map(
          (id) =>
            listed?.find((s) => s.id === id) ?? { id, name: id, description: `${id} (shared)`, tags: [] },
        );
      }),
    );
    return { skills: lists.flat(), complete };
  }

  async #agentSkills(url: string): Promise<SkillJson[] | null> {
    try {
      const response = await fetch(`${url}/.well-known/agent-card.json`, {
        signal: AbortSignal.timeout(3_000),
      });
      if (!response.ok) return null;
      const card = (await response.json()) as { skills?: SkillJson[] };
      return Array.isArray(card.skills) ? card.skills : null;
    } catch (error) {
      this.#logger.warn(
        { url, err: String(error) },
        'agent card not reachable; the gateway card lists its skills bare for now',
      );
      return null;
    }
  }
}
