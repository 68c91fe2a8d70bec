import type { SkillManifest } from '@forge/contracts';
import type { ModelTier, RoutingConfig } from '@forge/policy';
import { MANIFESTS } from './service-skills.js';

/**
 * The mistake the seed describes, as a routing config: every skill on one tier, no rules, no
 * budgets; the same models, prices and gateway behaviour as the routed month. With `discounts`,
 * each route keeps what the vendors' discounts read (its `cadence` and `deferrable` marks), so
 * the same caching and batching can be applied to the baseline.
 */
export function baselineConfig(
  config: RoutingConfig,
  tier: ModelTier,
  options: { discounts?: boolean } = {},
): RoutingConfig {
  const routes = options.discounts
    ? Object.fromEntries(
        Object.entries(config.routes).flatMap(([skill, route]) => {
          const kept = {
            ...(route.cadence === undefined ? {} : { cadence: route.cadence }),
            ...(route.deferrable === undefined ? {} : { deferrable: route.deferrable }),
          };
          return Object.keys(kept).length === 0 ? [] : [[skill, kept]];
        }),
      )
    : {};
  return {
    ...config,
    version: `${config.version}+all-${tier}`,
    routes,
    rules: [],
    budgets: { perAgent: {}, perTier: {}, perPrincipal: {} },
    principals: {},
  };
}

/** The skills with `tier` as their own hint and no critical mark (or compliance review would stay at frontier). */
export function baselineManifests(tier: ModelTier): SkillManifest[] {
  return MANIFESTS.map((m) => ({ ...m, tierHint: tier, critical: false }));
}
