import { describe, expect, it } from 'vitest';
import { parseCommand, usageOf } from './args.js';

function usageFailure(argv: string[], env: Record<string, string> = {}) {
  try {
    parseCommand(argv, env);
  } catch (error) {
    return { topic: usageOf(error), message: (error as Error).message };
  }
  throw new Error(`expected ${argv.join(' ')} to fail`);
}

describe('parseCommand', () => {
  it('applies defaults: brain local, ports from 7300, Postgres at port-base+50', () => {
    const command = parseCommand(['up'], {});
    expect(command.name).toBe('up');
    if (command.name !== 'up') return;
    expect(command.options).toMatchObject({
      brain: 'local',
      portBase: 7300,
      pgPort: 7350,
      logLevel: 'info',
      json: false,
      natsUrl: 'nats://127.0.0.1:4222',
      databaseUrl: undefined,
      readyTimeoutMs: 60_000,
    });
    expect(command.options.stateDir).toMatch(/\.forge$/);
  });

  it('takes flags over environment variables over defaults', () => {
    const env = { FORGE_BRAIN: 'envbrain', FORGE_PORT_BASE: '8000', FORGE_STATE_DIR: '/tmp/x' };
    const fromEnv = parseCommand(['up'], env);
    const fromFlags = parseCommand(['up', '--brain', 'flagbrain', '--port-base', '9000', '--json'], env);
    expect(fromEnv.name === 'up' && fromEnv.options).toMatchObject({
      brain: 'envbrain',
      portBase: 8000,
      pgPort: 8050,
    });
    expect(fromFlags.name === 'up' && fromFlags.options).toMatchObject({
      brain: 'flagbrain',
      portBase: 9000,
      pgPort: 9050,
      stateDir: '/tmp/x',
      json: true,
    });
  });

  it('names an unknown flag and points at the command usage', () => {
    expect(usageFailure(['status', '--colour'])).toEqual({
      topic: 'status',
      message: 'unknown flag --colour',
    });
  });

  it('says when a flag lacks its value', () => {
    expect(usageFailure(['up', '--brain'])).toEqual({ topic: 'up', message: 'flag --brain needs a value' });
  });

  it('names the flag of a bad value', () => {
    expect(usageFailure(['up', '--port-base', 'abc']).message).toBe(
      'invalid --port-base: must be a whole number',
    );
    expect(usageFailure(['up', '--port-base', '80']).message).toBe(
      'invalid --port-base: must be at least 1024',
    );
    expect(usageFailure(['up', '--brain', 'Bad-Name']).message).toMatch(/^invalid --brain: must be 1-31/);
    expect(usageFailure(['up', '--log-level', 'loud']).message).toMatch(/^invalid --log-level:/);
  });

  it('names the environment variable of a bad value', () => {
    expect(usageFailure(['status'], { FORGE_PORT_BASE: '99999' }).message).toBe(
      'invalid FORGE_PORT_BASE: must be at most 65485',
    );
    expect(usageFailure(['up'], { NATS_URL: 'http://x' }).message).toMatch(
      /^invalid NATS_URL: must be nats:\/\//,
    );
    expect(usageFailure(['up'], { DATABASE_URL: 'mysql://x' }).message).toBe(
      'invalid DATABASE_URL: must be a postgres:// URL',
    );
  });

  it('reports every bad value at once', () => {
    expect(usageFailure(['up', '--pg-port', 'x', '--ready-timeout', '0']).message).toMatch(
      /--pg-port: .*; --ready-timeout: /,
    );
  });

  it('requires an agent and a skill for send, and checks both', () => {
    expect(usageFailure(['send', 'scout']).message).toBe('expected <agent> <skill>, got 1 argument(s)');
    expect(usageFailure(['send', 'nobody', 'x']).message).toMatch(
      /^invalid <agent>: unknown agent 'nobody' \(one of scout, /,
    );
    expect(usageFailure(['send', 'scout', 'Parse_Feed']).message).toMatch(/^invalid <skill>:/);
  });

  it('parses send with its input, stream and timeout', () => {
    const command = parseCommand(
      ['send', 'scout', 'parse-feed', '--input', '@feed.json', '--stream', '--timeout', '2.5', '--json'],
      { FORGE_API_KEY: 'fk_x' },
    );
    expect(command.name === 'send' && command.options).toMatchObject({
      agent: 'scout',
      skill: 'parse-feed',
      input: '@feed.json',
      stream: true,
      timeoutMs: 2500,
      json: true,
      apiKey: 'fk_x',
    });
  });

  it('rejects unknown commands and stray arguments', () => {
    expect(usageFailure(['launch'])).toEqual({ topic: 'help', message: "unknown command 'launch'" });
    expect(usageFailure(['status', 'extra']).message).toBe("unexpected argument 'extra'");
    expect(usageFailure(['up', '--json=yes']).message).toBe('flag --json takes no value');
  });

  it('turns --help and no arguments into help', () => {
    expect(parseCommand([], {})).toEqual({ name: 'help', topic: 'help', json: false });
    expect(parseCommand(['send', '--help'], {})).toEqual({ name: 'help', topic: 'send', json: false });
    expect(parseCommand(['help', 'up', '--json'], {})).toEqual({ name: 'help', topic: 'up', json: true });
  });
});
