import { AgentCard } from '@a2a-js/sdk';
import type { AgentDefinition } from '../skills/define-agent.js';

/** Where the transports are mounted, below the service's public URL. */
export const JSONRPC_PATH = '/a2a/jsonrpc';
export const REST_PATH = '/a2a/rest';
export const AGENT_CARD_PATH = '/.well-known/agent-card.json';

/** Names of the card's security schemes; both carry the same Forge API key. */
export const SECURITY_SCHEMES = { bearer: 'forgeBearer', apiKey: 'forgeApiKey' } as const;

/**
 * The agent's A2A v1.0 card:
 *
 * - `supportedInterfaces`: JSON-RPC and HTTP+JSON at v1.0, then the same URLs at v0.3 for the
 *   SDK's legacy compatibility (old clients, and requests without `A2A-Version`);
 * - capabilities: streaming yes, push notifications no;
 * - skills with qualified ids (`<agent>.<skill>`), tags that include `tier:<tier>` (and
 *   `critical` when the skill is accuracy-critical), and the media types each takes and answers in;
 * - `defaultInputModes`: what the agent takes across its skills; `defaultOutputModes`: what it
 *   sends, which always includes `text/plain` (status messages carry text parts);
 * - security: the Forge API key, as `Authorization: Bearer <key>` or `X-API-Key: <key>` (either).
 */
export function buildAgentCard(agent: AgentDefinition, publicUrl: string): AgentCard {
  const base = publicUrl.replace(/\/$/, '');
  const jsonrpc = `${base}${JSONRPC_PATH}`;
  const rest = `${base}${REST_PATH}`;
  return AgentCard.fromJSON({
    name: agent.name,
    description: agent.description,
    version: agent.version,
    supportedInterfaces: [
      { url: jsonrpc, protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
      { url: rest, protocolBinding: 'HTTP+JSON', protocolVersion: '1.0' },
      { url: jsonrpc, protocolBinding: 'JSONRPC', protocolVersion: '0.3' },
      { url: rest, protocolBinding: 'HTTP+JSON', protocolVersion: '0.3' },
    ],
    provider: { organization: 'Forge', url: base },
    capabilities: { streaming: true, pushNotifications: false, extendedAgentCard: false },
    securitySchemes: {
      [SECURITY_SCHEMES.bearer]: {
        httpAuthSecurityScheme: { scheme: 'Bearer', description: 'A Forge API key as a bearer token.' },
      },
      [SECURITY_SCHEMES.apiKey]: {
        apiKeySecurityScheme: { location: 'header', name: 'X-API-Key', description: 'A Forge API key.' },
      },
    },
    securityRequirements: [
      { schemes: { [SECURITY_SCHEMES.bearer]: { list: [] } } },
      { schemes: { [SECURITY_SCHEMES.apiKey]: { list: [] } } },
    ],
    defaultInputModes: union(agent.skills.map((skill) => skill.inputModes)),
    defaultOutputModes: union([...agent.skills.map((skill) => skill.outputModes), ['text/plain']]),
    skills: agent.skills.map((skill) => ({
      id: `${agent.name}.${skill.id}`,
      name: skill.name,
      description: skill.description,
      tags: [...skill.tags, `tier:${skill.tier}`, ...(skill.critical ? ['critical'] : [])],
      examples: [...skill.examples],
      inputModes: [...skill.inputModes],
      outputModes: [...skill.outputModes],
    })),
  });
}

/** Every media type of the lists, once, in the order first seen. */
function union(lists: readonly (readonly string[])[]): string[] {
  return [...new Set(lists.flat())];
}
