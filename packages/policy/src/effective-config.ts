import type { ModelId, ProviderKind } from '@forge/contracts';
import { MODEL_TIERS, type ModelTier } from './model-tier.js';
import { isZeroPrice } from './price-config.js';
import type { RoutingConfig } from './routing-config.js';
import { providerOf, tierCandidates } from './tier-models.js';

/**
 * The provider a model needs, by the name `reachableProviders` gives it: `anthropic`, `openai`,
 * `offline`, or `openai-compatible:<server>` (each compatible server is a provider of its own).
 */
export function providerKey(model: ModelId, provider: ProviderKind = providerOf(model)): string {
  if (provider !== 'openai-compatible') return provider;
  const name = model.slice(model.indexOf(':') + 1);
  return `openai-compatible:${name.slice(0, name.indexOf('/'))}`;
}

/**
 * The providers the router reaches with the keys at hand, in config order: a vendor when its key
 * variable (`providers.<vendor>.apiKeyEnv`) has a key; an OpenAI-compatible server unless it names
 * a key variable that has none. `hasKey(name)` says whether variable `name` holds a key: the
 * router reads the value (or the `<NAME>_FILE` it names), the CLI only looks whether one is set.
 * The offline provider is always there and is not listed.
 */
export function reachableProviders(config: RoutingConfig, hasKey: (envVar: string) => boolean): string[] {
  const reachable: string[] = [];
  if (hasKey(config.providers.anthropic.apiKeyEnv)) reachable.push('anthropic');
  if (hasKey(config.providers.openai.apiKeyEnv)) reachable.push('openai');
  for (const [server, spec] of Object.entries(config.providers.openaiCompatible)) {
    if (spec.apiKeyEnv === undefined || hasKey(spec.apiKeyEnv)) reachable.push(`openai-compatible:${server}`);
  }
  return reachable;
}

/**
 * The routing config as the router decides on it, given the providers it reaches (as
 * `reachableProviders` names them): each tier keeps only the models that can be called, in
 * order, or its offline stand-in when none can, so a decision names the model that would really
 * answer and a tier only offline serves is $0 (never limited by a budget). The router and
 * `forge route explain` both decide on this, so they cannot disagree.
 */
export function effectiveRoutingConfig(config: RoutingConfig, available: readonly string[]): RoutingConfig {
  const reachable = new Set(available);
  const tiers = {} as Record<ModelTier, string[]>;
  for (const tier of MODEL_TIERS) {
    tiers[tier] = tierCandidates(
      config,
      tier,
      (model, provider) => provider === 'offline' || reachable.has(providerKey(model, provider)),
    ).map((candidate) => candidate.model);
  }
  return Object.freeze({ ...config, tiers: Object.freeze(tiers) });
}

/**
 * `effective` narrowed, per tier that has any, to its $0 models: what a tier still offers when a
 * budget has no room (the router decides again on it, so a $0 model is never blocked by a
 * budget). The same object when nothing narrows.
 */
export function zeroCostRoutingConfig(effective: RoutingConfig): RoutingConfig {
  const tiers = {} as Record<ModelTier, string[]>;
  let narrowed = false;
  for (const tier of MODEL_TIERS) {
    const models = effective.tiers[tier];
    const free = models.filter((model) => {
      if (model.startsWith('offline:')) return true;
      const price = effective.prices[model];
      return price !== undefined && isZeroPrice(price);
    });
    tiers[tier] = free.length > 0 ? free : models;
    narrowed ||= free.length > 0 && free.length < models.length;
  }
  return narrowed ? Object.freeze({ ...effective, tiers: Object.freeze(tiers) }) : effective;
}
