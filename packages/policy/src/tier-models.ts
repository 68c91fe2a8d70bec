import type { ModelId, ProviderKind } from '@forge/contracts';
import type { ModelTier } from './model-tier.js';
import { isZeroPrice } from './price-config.js';
import type { RoutingConfig } from './routing-config.js';

/** The provider part of `provider:model`. The model id must already be valid. */
export function providerOf(model: ModelId): ProviderKind {
  return model.slice(0, model.indexOf(':')) as ProviderKind;
}

/** A model the gateway may call for a tier; `shadowOf` is set for the offline provider. */
export interface ModelCandidate {
  model: ModelId;
  provider: ProviderKind;
  /** For offline: the priced model whose list price is recorded as shadow cost, never charged. */
  shadowOf: ModelId | null;
}

/**
 * The priced model the offline provider stands in for at `tier`: the configured stand-in, else
 * the tier's first priced model, else null (a tier of offline models only has no list price).
 */
export function offlineStandIn(config: RoutingConfig, tier: ModelTier): ModelId | null {
  const configured = config.providers.offline.standIns[tier];
  if (configured) return configured;
  return (
    config.tiers[tier].find((m) => providerOf(m) !== 'offline' && config.prices[m] !== undefined) ?? null
  );
}

/**
 * The models to try for `tier`, in config order, keeping those `isAvailable` accepts (the
 * router passes "its provider's key variable is set" or "its server is configured"); offline
 * models are always available. When none is left, the offline stand-in `offline:<tier>` is the
 * only candidate, so Forge runs with no keys at all.
 */
export function tierCandidates(
  config: RoutingConfig,
  tier: ModelTier,
  isAvailable: (model: ModelId, provider: ProviderKind) => boolean,
): ModelCandidate[] {
  const standIn = offlineStandIn(config, tier);
  const out: ModelCandidate[] = [];
  for (const model of config.tiers[tier]) {
    const provider = providerOf(model);
    if (provider === 'offline') out.push({ model, provider, shadowOf: standIn });
    else if (isAvailable(model, provider)) out.push({ model, provider, shadowOf: null });
  }
  if (out.length === 0) out.push({ model: `offline:${tier}`, provider: 'offline', shadowOf: standIn });
  return out;
}

/**
 * True when every model of the tier costs nothing (offline, or a local server priced at zero):
 * such a tier is never limited by a budget, since a $0 call cannot overspend one.
 */
export function isFreeTier(config: RoutingConfig, tier: ModelTier): boolean {
  return config.tiers[tier].every((model) => {
    if (providerOf(model) === 'offline') return true;
    const price = config.prices[model];
    return price !== undefined && isZeroPrice(price);
  });
}
