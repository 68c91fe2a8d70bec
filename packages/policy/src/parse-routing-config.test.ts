import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ForgeError, isForgeError } from '@forge/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadRoutingConfigFile } from './load-routing-config-file.js';
import { parseRoutingConfig, routingConfigFromObject } from './parse-routing-config.js';
import { baseConfigObject } from './test-config.fixture.js';

/** The issues of the BAD_CONFIG error `fn` throws (fails the test if it throws anything else). */
function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    expect(isForgeError(error, 'BAD_CONFIG')).toBe(true);
    return (error as ForgeError).details?.issues as string[];
  }
  throw new Error('expected a BAD_CONFIG error');
}

const MINIMAL = `version: v1
tiers:
  small: ["anthropic:claude-haiku-5.5"]
  mid: ["anthropic:claude-sonnet-5.5"]
  frontier: ["anthropic:claude-opus-5.5"]
prices:
  "anthropic:claude-haiku-5.5": { input: 0.1, output: 0.5, readOn: "2026-11-29" }
  "anthropic:claude-sonnet-5.5": { input: 2, output: 10, readOn: "2026-11-29" }
  "anthropic:claude-opus-5.5": { input: 4, output: 20, readOn: "2026-11-29" }
`;

describe('parseRoutingConfig', () => {
  it('accepts a minimal config and fills every default', () => {
    const config = parseRoutingConfig(MINIMAL, 'minimal.yaml');
    expect(config.version).toBe('v1');
    expect(config.routes).toEqual({});
    expect(config.rules).toEqual([]);
    expect(config.providers.anthropic.apiKeyEnv).toBe('ANTHROPIC_API_KEY');
    expect(config.providers.openai.apiKeyEnv).toBe('OPENAI_API_KEY');
    expect(config.escalation).toEqual({ confidenceBelow: 0.6, schemaRetries: 1, onSchemaFailure: true });
    expect(config.gateway.retries.maxRetries).toBe(2);
    expect(config.gateway.breaker.failureThreshold).toBe(5);
    expect(config.budgets.perTier).toEqual({});
  });

  it('returns a deeply frozen config', () => {
    const config = parseRoutingConfig(MINIMAL, 'minimal.yaml');
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.tiers.small)).toBe(true);
    expect(() => {
      (config.tiers.small as string[]).push('openai:gpt-6-luna');
    }).toThrow(TypeError);
  });

  it('lists every wrong field at once, each with its path and line', () => {
    const text = `version: v1
tiers:
  small: ["anthropic:claude-haiku-5.5"]
  mid: ["anthropic:claude-sonnet-5.5"]
  frontier: [nope]
prices:
  "anthropic:claude-haiku-5.5": { input: 0.1, output: 0.5, readOn: "2026-11-29" }
routes:
  NotASkill: {}
  compliance.review: { critical: false, extra: 1 }
budgets:
  perAgent:
    scout: { usd: "10", onExhausted: downgrade }
  perAgnet: {}
rules:
  - name: big
    when: { inputTokensAbove: -1 }
    tier: { atLeast: huge }
`;
    const issues = issuesOf(() => parseRoutingConfig(text, 'forge.yaml'));
    expect(issues).toEqual(
      expect.arrayContaining([
        'tiers.frontier[0]: must be provider:model (forge.yaml line 5)',
        'routes.NotASkill: invalid key: must be <agent>.<skill>, e.g. compliance.review (forge.yaml line 9)',
        'routes["compliance.review"].critical: can only be true: config may add the critical mark, never remove it (forge.yaml line 10)',
        'routes["compliance.review"].extra: unknown field (forge.yaml line 10)',
        'budgets.perAgent.scout.usd: Invalid input: expected number, received string (forge.yaml line 13)',
        'budgets.perAgnet: unknown field (forge.yaml line 14)',
        'rules[0].when.inputTokensAbove: Too small: expected number to be >=0 (forge.yaml line 17)',
      ]),
    );
    expect(issues.some((i) => i.startsWith('rules[0].tier.atLeast: Invalid option'))).toBe(true);
    expect(issues).toHaveLength(8);
  });

  it('names a missing required field at its parent’s line', () => {
    const text = MINIMAL.replace('version: v1\n', '');
    expect(issuesOf(() => parseRoutingConfig(text, 'f.yaml'))).toEqual([
      'version: Invalid input: expected string, received undefined (f.yaml line 1)',
    ]);
  });

  it('checks across fields once the shape is right: prices, servers, stand-ins, routes, rules, principals', () => {
    const config = baseConfigObject();
    const text = stringify({
      ...config,
      tiers: {
        ...config.tiers,
        mid: ['anthropic:claude-sonnet-5.5', 'openai:gpt-6-sol', 'openai-compatible:ollama/llama3'],
        frontier: ['anthropic:claude-opus-5.5', 'anthropic:claude-opus-5.5'],
      },
      providers: { offline: { standIns: { mid: 'openai:gpt-6-sol' } } },
      routes: {
        'compliance.review': { critical: true, tier: 'small' },
        'scout.score': { tier: 'mid', maxTier: 'small' },
      },
      rules: [
        { name: 'a', when: { skill: '*' }, tier: { atMost: 'mid' } },
        { name: 'a', when: { origin: 'partner' }, tier: { atLeast: 'mid' } },
      ],
      budgets: { perPrincipal: { alice: { usd: 5, onExhausted: 'reject' } } },
      principals: { alice: { budget: { usd: 6, onExhausted: 'queue' } } },
      gateway: { timeouts: { firstTokenMs: 5000, totalMs: 1000, idleMs: 500 } },
    });
    const issues = issuesOf(() => parseRoutingConfig(text, 'x.yaml')).map((i) =>
      i.replace(/ \(x\.yaml line \d+\)$/, ''),
    );
    expect(issues).toEqual([
      'tiers.mid[1]: no price for openai:gpt-6-sol: add it under prices',
      'tiers.mid[2]: no price for openai-compatible:ollama/llama3: add it under prices',
      'tiers.mid[2]: server ollama is not under providers.openaiCompatible',
      'tiers.frontier[1]: anthropic:claude-opus-5.5 is listed twice in frontier',
      'providers.offline.standIns.mid: no price for openai:gpt-6-sol: add it under prices',
      'routes["compliance.review"].tier: a critical skill runs at frontier; small contradicts critical: true',
      'routes["scout.score"].maxTier: must not be below the route\'s tier (mid)',
      'rules[1].name: a is already the name of rules[0]',
      'principals.alice.budget: the budget of alice is also set in budgets.perPrincipal; keep one',
      'gateway.timeouts.firstTokenMs: must not exceed totalMs',
    ]);
  });

  it('never echoes a key value or URL credentials in its errors', () => {
    const secret = 'sk-ant-api03-SECRETSECRET';
    const text = `${MINIMAL}providers:
  anthropic: { apiKeyEnv: ${secret} }
  openaiCompatible:
    local: { baseUrl: "http://user:hunter2pass@127.0.0.1:8080/v1" }
`;
    let message = '';
    try {
      parseRoutingConfig(text, 'forge.yaml');
    } catch (error) {
      message = `${(error as Error).message} ${JSON.stringify((error as ForgeError).details)}`;
    }
    expect(message).toContain('providers.anthropic.apiKeyEnv: must be an environment variable name');
    expect(message).toContain('providers.openaiCompatible.local.baseUrl: must not carry credentials');
    expect(message).not.toContain('SECRETSECRET');
    expect(message).not.toContain('hunter2pass');
  });

  it('reports YAML syntax errors with their line', () => {
    const issues = issuesOf(() => parseRoutingConfig('version: v1\ntiers: [a,\n  b: c\n', 'broken.yaml'));
    expect(issues.length).toBeGreaterThan(0);
    expect(issues[0]).toMatch(/^broken\.yaml line \d+: /);
  });

  it('refuses duplicate keys rather than keeping the last one silently', () => {
    const issues = issuesOf(() => parseRoutingConfig(`${MINIMAL}version: v2\n`, 'dup.yaml'));
    expect(issues[0]).toMatch(/^dup\.yaml line 10: .*unique/i);
  });

  it('validates a config given as an object the same way', () => {
    const config = routingConfigFromObject(baseConfigObject(), 'brain main');
    expect(config.tiers.small).toEqual(['anthropic:claude-haiku-5.5', 'openai:gpt-6-luna']);
    const issues = issuesOf(() =>
      routingConfigFromObject({ ...baseConfigObject(), version: '' }, 'brain main'),
    );
    expect(issues).toEqual(['version: Too small: expected string to have >=1 characters']);
  });
});

describe('loadRoutingConfigFile', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('reads and parses a file, naming the file in errors', async () => {
    dir = await mkdtemp(join(tmpdir(), 'forge-policy-'));
    const good = join(dir, 'good.yaml');
    await writeFile(good, MINIMAL);
    expect((await loadRoutingConfigFile(good)).version).toBe('v1');
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, MINIMAL.replace('input: 4,', 'input: -4,'));
    await expect(loadRoutingConfigFile(bad)).rejects.toThrow(
      `prices["anthropic:claude-opus-5.5"].input: Too small: expected number to be >=0 (${bad} line 9)`,
    );
  });

  it('turns a missing file into BAD_CONFIG', async () => {
    const error = await loadRoutingConfigFile('/nonexistent/forge.yaml').catch((e: unknown) => e);
    expect(isForgeError(error, 'BAD_CONFIG')).toBe(true);
    expect((error as ForgeError).message).toBe('cannot read routing config /nonexistent/forge.yaml: ENOENT');
  });
});
