import type { RoutingConfig } from './routing-config.js';

/** The vendors' discounts one skill's calls may take, resolved from its route and the gateway defaults. */
export interface SkillDiscounts {
  /** Whether the gateway marks the skill's stable prompt parts for the prompt cache. */
  caching: boolean;
  /** How often the schedule runs the skill, when config says (ms). */
  cadenceMs: number | undefined;
  /** Set when the skill's calls may wait in a vendor batch: for at most `maxWaitMs`. */
  deferral: { maxWaitMs: number } | undefined;
}

/**
 * The discounts of `skill` (`<agent>.<skill>`): prompt caching unless the gateway turns it off;
 * batching when its route is `deferrable` and the gateway's batching is on, for its route's
 * `maxWait` or the gateway's default, whichever the route gives.
 */
export function discountsFor(config: RoutingConfig, skill: string): SkillDiscounts {
  const route = config.routes[skill];
  const { caching, batch } = config.gateway;
  return {
    caching: caching.enabled,
    cadenceMs: route?.cadence,
    deferral:
      route?.deferrable && batch.enabled
        ? { maxWaitMs: route.deferrable.maxWait ?? batch.maxWait }
        : undefined,
  };
}
