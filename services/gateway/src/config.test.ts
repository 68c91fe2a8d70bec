import { describe, expect, it } from 'vitest';
import { loadGatewayConfig } from './config.js';
import { skillOfMessage } from './inbound.js';

const BASE = {
  FORGE_PORT: '7309',
  DATABASE_URL: 'postgres://db/x',
  FORGE_FEDERATION_CONFIG: '/etc/forge/federation.yaml',
  FORGE_GATEWAY_PORT: '7310',
  FORGE_AGENT_URLS: 'scout=http://127.0.0.1:7301, compliance=http://127.0.0.1:7303/',
  FORGE_GATEWAY_KEY_FILE: '/etc/forge/gateway.key',
};

describe('loadGatewayConfig', () => {
  it("reads the gateway variables beside the kit's", () => {
    const config = loadGatewayConfig(BASE);
    expect(config.publicPort).toBe(7310);
    expect(config.agentUrls).toEqual({ scout: 'http://127.0.0.1:7301', compliance: 'http://127.0.0.1:7303' });
    expect(config.agent.port).toBe(7309);
    expect(config.partnerCardTtlMs).toBe(300_000);
  });

  it('names every bad variable of both at once', () => {
    let message = '';
    try {
      loadGatewayConfig({
        ...BASE,
        DATABASE_URL: 'mysql://x',
        FORGE_AGENT_URLS: 'scout',
        FORGE_GATEWAY_PORT: 'x',
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/DATABASE_URL/);
    expect(message).toMatch(/FORGE_AGENT_URLS: entry 1: must be <agent>=<http\(s\) URL>/);
    expect(message).toMatch(/FORGE_GATEWAY_PORT/);
  });
});

describe('skillOfMessage', () => {
  it('reads metadata.skill, else a data part shaped { skill, input }', () => {
    expect(skillOfMessage({ metadata: { skill: 'compliance.check-text' }, parts: [] })).toBe(
      'compliance.check-text',
    );
    expect(
      skillOfMessage({ parts: [{ text: 'x' }, { data: { skill: 'scout.recent-items', input: {} } }] }),
    ).toBe('scout.recent-items');
    expect(skillOfMessage({ parts: [{ data: { text: 'no skill' } }] })).toBeUndefined();
    expect(skillOfMessage(5)).toBeUndefined();
  });
});
