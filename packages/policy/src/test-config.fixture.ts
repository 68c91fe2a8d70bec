import type { Origin, SkillManifest, Tier } from '@forge/contracts';
import { routingConfigFromObject } from './parse-routing-config.js';
import type { RoutingConfig, RoutingConfigInput } from './routing-config.js';

/** Test support: a small valid config object that tests extend. Not part of the package's build. */
export function baseConfigObject(): RoutingConfigInput {
  const price = (input: number, output: number) => ({ input, output, readOn: '2026-11-29' });
  return {
    version: 'test-1',
    tiers: {
      small: ['anthropic:claude-haiku-5.5', 'openai:gpt-6-luna'],
      mid: ['anthropic:claude-sonnet-5.5'],
      frontier: ['anthropic:claude-opus-5.5'],
    },
    prices: {
      'anthropic:claude-haiku-5.5': price(0.1, 0.5),
      'openai:gpt-6-luna': price(0.1, 0.5),
      'anthropic:claude-sonnet-5.5': price(2, 10),
      'anthropic:claude-opus-5.5': price(4, 20),
    },
  };
}

/** A parsed config: the base object with `patch` merged over its top-level sections. */
export function makeConfig(patch: Partial<RoutingConfigInput> = {}): RoutingConfig {
  return routingConfigFromObject({ ...baseConfigObject(), ...patch }, 'test');
}

export function manifest(
  skill: string,
  tierHint: Tier,
  critical = false,
): Pick<SkillManifest, 'skill' | 'agent' | 'tierHint' | 'critical'> {
  return { skill, agent: skill.slice(0, skill.indexOf('.')), tierHint, critical };
}

export const SCHEDULE: Origin = { kind: 'schedule', brain: 'main', by: 'cron' };
export const NOON = new Date('2026-11-29T12:00:00Z');
