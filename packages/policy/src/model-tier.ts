import { type Tier, tierRank } from '@forge/contracts';
import { z } from 'zod';

/**
 * The tiers that run a model. `tool` is plain code: it has no model list, no price and no
 * budget, so config that names a model tier (tier lists, caps, escalation ceilings) uses this.
 */
export const MODEL_TIERS = ['small', 'mid', 'frontier'] as const;
export const ModelTier = z.enum(MODEL_TIERS);
export type ModelTier = z.infer<typeof ModelTier>;

/** True for the tiers that call a model (everything but `tool`). */
export function isModelTier(tier: Tier): tier is ModelTier {
  return tier !== 'tool';
}

/** True when `a` ranks strictly above `b` in the contracts' tier order. */
export function tierAbove(a: Tier, b: Tier): boolean {
  return tierRank(a) > tierRank(b);
}
