import { z } from 'zod';
import { Tier } from './tier.js';

/**
 * The router's decision for one task, stamped on the envelope before the task runs.
 * `model` is `provider:model`, or null for the `tool` tier.
 */
export const RoutingDecision = z.object({
  tier: Tier,
  model: z.string().min(1).nullable(),
  /** The rules that decided, in the order they applied; each says why in words. */
  reasons: z.array(z.string()).min(1),
  policyVersion: z.string().min(1),
  decidedAt: z.iso.datetime(),
});
export type RoutingDecision = z.infer<typeof RoutingDecision>;
