import { z } from 'zod';

/**
 * Model tiers, cheapest first. `tool` is plain code: no model, $0.
 * The order is the contract: escalation moves one step right, a budget may move left.
 */
export const TIERS = ['tool', 'small', 'mid', 'frontier'] as const;
export const Tier = z.enum(TIERS);
export type Tier = z.infer<typeof Tier>;

export function tierRank(tier: Tier): number {
  return TIERS.indexOf(tier);
}

/** The higher of two tiers. */
export function maxTier(a: Tier, b: Tier): Tier {
  return tierRank(a) >= tierRank(b) ? a : b;
}

/** The lower of two tiers. */
export function minTier(a: Tier, b: Tier): Tier {
  return tierRank(a) <= tierRank(b) ? a : b;
}

/** One tier up, or null at the top. */
export function nextTier(tier: Tier): Tier | null {
  return TIERS[tierRank(tier) + 1] ?? null;
}
