import { describe, expect, it } from 'vitest';
import { parseFederationConfig } from './federation-config.js';

const GOOD = `
publicUrl: https://a.example
organization: Brain A
signingKeys: [keys/a.pem]
shares: [scout.score-headlines]
partners:
  b:
    cardUrl: https://b.example/.well-known/agent-card.json
    inbound:
      skills: [scout.score-headlines]
      credentials: { clientSecretHashesFile: secrets/b.sha256 }
      rateLimit: { perMinute: 60 }
      monthlyBudgetUsd: 20
    outbound:
      skills: [compliance.check-text]
      credentials: { kind: oauth2, clientId: a, clientSecretFile: secrets/to-b.secret }
`;

describe('federation config', () => {
  it('parses, defaults, and makes file paths absolute against the config file', () => {
    const config = parseFederationConfig(GOOD, '/etc/forge/federation.yaml');
    expect(config.signingKeys).toEqual(['/etc/forge/keys/a.pem']);
    expect(config.tokenTtlSeconds).toBe(300);
    expect(config.partners.b?.inbound?.credentials.clientSecretHashesFile).toBe(
      '/etc/forge/secrets/b.sha256',
    );
    expect(config.partners.b?.outbound).toMatchObject({
      timeoutMs: 30_000,
      retries: 2,
      breaker: { failures: 5 },
    });
  });

  it('names every bad field at once', () => {
    const bad = GOOD.replace('cardUrl: https://b.example/.well-known/agent-card.json', 'cardUrl: nope')
      .replace(
        'skills: [scout.score-headlines]\n      credentials',
        'skills: [scout.other]\n      credentials',
      )
      .replace('perMinute: 60', 'perMinute: -1')
      .replace('clientSecretFile: secrets/to-b.secret', 'secretFile: x');
    let message = '';
    try {
      parseFederationConfig(bad, 'federation.yaml');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/partners\.b\.cardUrl/);
    expect(message).toMatch(/partners\.b\.inbound\.rateLimit\.perMinute/);
    expect(message).toMatch(/partners\.b\.outbound\.credentials\.secretFile: unknown field/);
    expect(message).not.toMatch(/to-b\.secret/);
  });

  it('refuses to grant a partner a skill the brain does not share, and a bad partner name', () => {
    const unshared = GOOD.replace('shares: [scout.score-headlines]', 'shares: [scout.recent-items]');
    expect(() => parseFederationConfig(unshared, 'f.yaml')).toThrow(
      /partners\.b\.inbound\.skills\[0\]: scout.score-headlines is not in shares/,
    );
    expect(() => parseFederationConfig(GOOD.replace('\n  b:\n', '\n  B!:\n'), 'f.yaml')).toThrow(/partners/);
  });
});
