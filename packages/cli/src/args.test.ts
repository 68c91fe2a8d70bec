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
    expect(command.options.routingConfig).toMatch(/\/config\/forge\.yaml$/);
  });

  it('takes the routing config from --config over FORGE_ROUTING_CONFIG, made absolute', () => {
    const fromEnv = parseCommand(['up'], { FORGE_ROUTING_CONFIG: 'brains/b.yaml' });
    const fromFlag = parseCommand(['up', '--config', '/etc/forge.yaml'], { FORGE_ROUTING_CONFIG: 'x.yaml' });
    expect(fromEnv.name === 'up' && fromEnv.options.routingConfig).toBe(`${process.cwd()}/brains/b.yaml`);
    expect(fromFlag.name === 'up' && fromFlag.options.routingConfig).toBe('/etc/forge.yaml');
  });

  it('takes the OTLP endpoint from --otlp over OTEL_EXPORTER_OTLP_ENDPOINT, and names a bad one', () => {
    const none = parseCommand(['up'], {});
    const fromEnv = parseCommand(['up'], { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' });
    const fromFlag = parseCommand(['up', '--otlp', 'http://127.0.0.1:4318'], {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
    });
    expect(none.name === 'up' && none.options.otlpEndpoint).toBeUndefined();
    expect(fromEnv.name === 'up' && fromEnv.options.otlpEndpoint).toBe('http://collector:4318');
    expect(fromFlag.name === 'up' && fromFlag.options.otlpEndpoint).toBe('http://127.0.0.1:4318');
    expect(usageFailure(['up', '--otlp', 'collector:4318'])).toEqual({
      topic: 'up',
      message: 'invalid --otlp: must be an http(s) URL, e.g. http://127.0.0.1:4318',
    });
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

  it('does not send to the router: it is not an A2A agent', () => {
    expect(usageFailure(['send', 'router', 'x']).message).toBe(
      "invalid <agent>: unknown agent 'router' (one of scout, engagement, compliance, publisher, marketing, diary, gateway)",
    );
  });

  it("sends partner/<name>/<agent>.<skill> to the gateway's partners.ask, and names a bad target", () => {
    const command = parseCommand(
      ['send', 'partner/b/compliance.check-text', '--input', '{"text":"x"}', '--brain', 'a'],
      {},
    );
    expect(command.name === 'send' && command.options).toMatchObject({
      brain: 'a',
      agent: 'gateway',
      skill: 'ask',
      partnerTarget: 'partner/b/compliance.check-text',
      input: '{"text":"x"}',
    });
    expect(usageFailure(['send', 'partner/B/x']).message).toBe(
      "invalid target: 'partner/B/x' must be partner/<name>/<agent>.<skill>",
    );
  });

  it('takes --brains as two or more distinct brain names, and --federation as a path', () => {
    const up = parseCommand(['up', '--brains', 'a, b'], {});
    expect(up.name === 'up' && up.options.brains).toEqual(['a', 'b']);
    expect(usageFailure(['up', '--brains', 'a']).message).toMatch(/--brains: name at least two brains/);
    expect(usageFailure(['up', '--brains', 'a,a']).message).toMatch(/--brains: names a brain twice/);
    const single = parseCommand(['up', '--federation', 'config/brains/a/federation.yaml'], {});
    expect(single.name === 'up' && single.options.federationConfig).toMatch(
      /^\/.*config\/brains\/a\/federation\.yaml$/,
    );
  });

  it('parses route explain with its defaults, and every flag', () => {
    const plain = parseCommand(['route', 'explain', 'compliance.review'], {
      DATABASE_URL: 'postgres://db/x',
    });
    expect(plain.name === 'route-explain' && plain.options).toMatchObject({
      skill: 'compliance.review',
      principal: 'operator',
      origin: 'a2a',
      pending: undefined,
      input: undefined,
      routingConfig: undefined,
      databaseUrl: 'postgres://db/x',
    });
    const full = parseCommand(
      [
        'route',
        'explain',
        'scout.score-headlines',
        '--input',
        '{"a":1}',
        '--principal',
        'acme',
        '--origin',
        'partner',
        '--pending',
        '250',
        '--config',
        '/tmp/f.yaml',
        '--json',
      ],
      { FORGE_ROUTING_CONFIG: '/ignored.yaml' },
    );
    expect(full.name === 'route-explain' && full.options).toMatchObject({
      skill: 'scout.score-headlines',
      input: '{"a":1}',
      principal: 'acme',
      origin: 'partner',
      pending: 250,
      routingConfig: '/tmp/f.yaml',
      json: true,
    });
  });

  it('names what is wrong with a route explain command line', () => {
    expect(usageFailure(['route'])).toEqual({ topic: 'route', message: 'expected explain <skill>' });
    expect(usageFailure(['route', 'show', 'a.b']).message).toBe("unknown route command 'show'");
    expect(usageFailure(['route', 'explain']).message).toMatch(/^expected explain <skill>/);
    expect(usageFailure(['route', 'explain', 'review']).message).toMatch(
      /^invalid <skill>: 'review' must be <agent>\.<skill>/,
    );
    expect(usageFailure(['route', 'explain', 'a.b', '--origin', 'email']).message).toBe(
      'invalid --origin: must be one of schedule, a2a, agent, partner',
    );
    expect(usageFailure(['route', 'explain', 'a.b', '--pending', '1.5']).message).toBe(
      'invalid --pending: must be a whole number',
    );
  });

  it('parses costs --since as days, a date or a date-time, and defaults to the month', () => {
    const at = (argv: string[]) => {
      const command = parseCommand(['costs', ...argv], {});
      if (command.name !== 'costs') throw new Error('expected costs');
      return command.options.since;
    };
    expect(at([])).toEqual({ kind: 'month-start' });
    expect(at(['--since', '7d'])).toEqual({ kind: 'days', days: 7 });
    expect(at(['--since', '2026-11-01'])).toEqual({ kind: 'at', at: new Date('2026-11-01T00:00:00Z') });
    expect(at(['--since', '2026-11-01T08:30:00+02:00'])).toEqual({
      kind: 'at',
      at: new Date('2026-11-01T06:30:00Z'),
    });
    expect(usageFailure(['costs', '--since', 'last week']).message).toBe(
      'invalid --since: must be a number of days (7d), a date (2026-11-01) or an ISO date-time',
    );
    expect(usageFailure(['costs', '--since', '0d']).message).toBe('invalid --since: must be 1d to 3660d');
    expect(usageFailure(['costs', '--since', '2026-02-30']).message).toMatch(/^invalid --since:/);
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

describe('forge schedule and up --fast', () => {
  it('parses the four schedule actions and names what is wrong', () => {
    expect(parseCommand(['schedule', 'list', '--json'], {})).toMatchObject({
      name: 'schedule',
      options: { action: 'list', name: undefined, json: true, timeoutMs: 30_000 },
    });
    expect(parseCommand(['schedule', 'pause', 'fetch-news-feeds', '--reason', 'holiday'], {})).toMatchObject({
      name: 'schedule',
      options: { action: 'pause', name: 'fetch-news-feeds', reason: 'holiday' },
    });
    expect(() => parseCommand(['schedule'], {})).toThrow(/expected list, run, pause or resume/);
    expect(() => parseCommand(['schedule', 'delete', 'x'], {})).toThrow(/unknown action 'delete'/);
    expect(() => parseCommand(['schedule', 'run'], {})).toThrow(/run needs a schedule name/);
    expect(() => parseCommand(['schedule', 'run', 'Bad_Name'], {})).toThrow(/invalid <name>/);
    expect(() => parseCommand(['schedule', 'list', 'x'], {})).toThrow(/unexpected argument 'x'/);
  });

  it('takes --fast on up', () => {
    expect(parseCommand(['up', '--fast'], {})).toMatchObject({ name: 'up', options: { fast: true } });
    expect(parseCommand(['up'], {})).toMatchObject({ name: 'up', options: { fast: false } });
  });
});
