import { Tier } from '@forge/contracts';
import { z } from 'zod';
import { ConfidenceThreshold } from './escalation-config.js';
import { ModelTier } from './model-tier.js';

/**
 * The route of one skill (`<agent>.<skill>`). Every field is optional: an absent `tier` leaves
 * the skill's own tier hint as the base. `critical` can only be added (`true`); a skill that
 * declares itself critical stays critical whatever config says. `maxTier` caps the tier that
 * rules and escalation may reach (the critical floor is above it: a critical skill's ceiling is
 * always frontier).
 */
export const SkillRoute = z.strictObject({
  tier: Tier.optional(),
  critical: z
    .literal(true, { error: 'can only be true: config may add the critical mark, never remove it' })
    .optional(),
  maxTier: ModelTier.optional(),
  escalation: z
    .strictObject({
      confidenceBelow: ConfidenceThreshold.optional(),
      onSchemaFailure: z.boolean().optional(),
    })
    .optional(),
});
export type SkillRoute = z.infer<typeof SkillRoute>;
