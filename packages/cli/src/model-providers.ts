import { type RoutingConfig, reachableProviders } from '@forge/policy';
import type { Env } from './arg-rules.js';

/** Which model providers the router will reach with this environment; names only, never values. */
export interface ModelProviders {
  /** `anthropic`, `openai`, `openai-compatible:<server>`: the ones with what they need. */
  readonly available: string[];
  /** True when none is: every model call is answered by the offline provider. */
  readonly offline: boolean;
  /** The variables that would bring a vendor in (each also as `<NAME>_FILE`). */
  readonly keyVariables: string[];
}

function isSet(env: Env, name: string): boolean {
  const direct = env[name];
  const file = env[`${name}_FILE`];
  return (direct !== undefined && direct.trim() !== '') || (file !== undefined && file.trim() !== '');
}

/**
 * The router's own rule (`reachableProviders` in @forge/policy, which its provider pool uses),
 * over the same routing config and environment: a key variable counts when it, or `<NAME>_FILE`,
 * is set. The CLI only looks at whether a variable is set; the router reads the values (and a
 * `_FILE` it cannot read stops it, naming the variable).
 */
export function modelProviders(config: RoutingConfig, env: Env): ModelProviders {
  const available = reachableProviders(config, (name) => isSet(env, name));
  return {
    available,
    offline: available.length === 0,
    keyVariables: [config.providers.anthropic.apiKeyEnv, config.providers.openai.apiKeyEnv],
  };
}
