import type { ModelId, ProviderKind } from '@forge/contracts';
import {
  isZeroPrice,
  MODEL_TIERS,
  type ModelTier,
  providerOf,
  type RoutingConfig,
  tierCandidates,
} from '@forge/policy';

/** The provider a model needs: `anthropic`, `openai`, or `openai-compatible:<server>`. */
function vendorKey(model: ModelId, provider: ProviderKind = providerOf(model)): string {
  if (provider !== 'openai-compatible') return provider;
  const name = model.slice(model.indexOf(':') + 1);
  return `openai-compatible:${name.slice(0, name.indexOf('/'))}`;
}

/**
 * The routing config as the router decides on it, given the providers it reaches (names as
 * `modelProviders` gives them): each tier keeps only the models that can be called, in order, or
 * its offline stand-in when none can, so the decision names the model that would really answer
 * and a tier only offline serves is $0. This is the router's rule (`RoutingConfigSource`), built
 * from the same `@forge/policy` functions.
 */
export function effectiveRoutingConfig(config: RoutingConfig, available: readonly string[]): RoutingConfig {
  const reachable = new Set(available);
  const tiers = {} as Record<ModelTier, string[]>;
  for (const tier of MODEL_TIERS) {
    tiers[tier] = tierCandidates(
      config,
      tier,
      (model, provider) => provider === 'offline' || reachable.has(vendorKey(model, provider)),
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
      const price = (effective.prices as Record<string, Parameters<typeof isZeroPrice>[0] | undefined>)[
        model
      ];
      return price !== undefined && isZeroPrice(price);
    });
    tiers[tier] = free.length > 0 ? free : models;
    narrowed ||= free.length > 0 && free.length < models.length;
  }
  return narrowed ? Object.freeze({ ...effective, tiers: Object.freeze(tiers) }) : effective;
}
