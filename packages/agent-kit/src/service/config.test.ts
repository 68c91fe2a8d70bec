import { describe, expect, it } from 'vitest';
import { loadAgentConfig } from './config.js';

const base = { FORGE_PORT: '8080', DATABASE_URL: 'postgres://u:secret@db:5432/forge' };

describe('loadAgentConfig', () => {
  it('applies the defaults', () => {
    expect(loadAgentConfig(base)).toEqual({
      brain: 'local',
      host: '127.0.0.1',
      port: 8080,
      publicUrl: 'http://127.0.0.1:8080',
      natsUrl: 'nats://127.0.0.1:4222',
      databaseUrl: 'postgres://u:secret@db:5432/forge',
      apiKeysFile: undefined,
      concurrency: 4,
      shutdownGraceMs: 10_000,
      logLevel: 'info',
      bodyLimit: '1mb',
      otlpEndpoint: undefined,
    });
  });

  it('reads every variable it knows', () => {
    const config = loadAgentConfig({
      ...base,
      FORGE_BRAIN: 'acme',
      FORGE_HOST: '0.0.0.0',
      FORGE_PUBLIC_URL: 'https://scout.acme.test/',
      NATS_URL: 'nats://nats:4222',
      FORGE_API_KEYS_FILE: '/etc/forge/keys.json',
      FORGE_CONCURRENCY: '8',
      FORGE_SHUTDOWN_GRACE_MS: '20000',
      FORGE_LOG_LEVEL: 'debug',
      FORGE_BODY_LIMIT: '512kb',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318',
    });
    expect(config).toMatchObject({
      brain: 'acme',
      host: '0.0.0.0',
      publicUrl: 'https://scout.acme.test',
      apiKeysFile: '/etc/forge/keys.json',
      concurrency: 8,
      shutdownGraceMs: 20_000,
      logLevel: 'debug',
      bodyLimit: '512kb',
      otlpEndpoint: 'http://jaeger:4318',
    });
    // A wildcard bind address is no place to send callers.
    expect(loadAgentConfig({ ...base, FORGE_HOST: '0.0.0.0' }).publicUrl).toBe('http://127.0.0.1:8080');
  });

  it('lists every bad variable at once, and never the database password', () => {
    let message = '';
    try {
      loadAgentConfig({
        FORGE_BRAIN: 'Bad Brain',
        DATABASE_URL: 'mysql://root:hunter2@db/x',
        FORGE_CONCURRENCY: '0',
        FORGE_BODY_LIMIT: 'huge',
      });
    } catch (error) {
      expect(error).toMatchObject({ code: 'BAD_CONFIG' });
      message = (error as Error).message;
    }
    for (const name of [
      'FORGE_BRAIN',
      'FORGE_PORT',
      'DATABASE_URL',
      'FORGE_CONCURRENCY',
      'FORGE_BODY_LIMIT',
    ]) {
      expect(message).toContain(`${name}:`);
    }
    expect(message).not.toContain('hunter2');
  });
});
