import { Tier } from '@forge/contracts';
import { z } from 'zod';
import { Duration } from './duration.js';
import { ConfidenceThreshold } from './escalation-config.js';
import { ModelTier } from './model-tier.js';

/** The longest a vendor batch may run (both vendors' completion window). */
export const MAX_DEFERRAL_MS = 86_400_000;

/**
 * The route of one skill (`<agent>.<skill>`). Every field is optional: an absent `tier` leaves
 * the skill's own tier hint as the base. `critical` can only be added (`true`); a skill that
 * declares itself critical stays critical whatever config says. `maxTier` caps the tier that
 * rules and escalation may reach (the critical floor is above it: a critical skill's ceiling is
 * always frontier). `cadence` says how often the schedule runs the skill: the prompt cache's
 * estimate of how soon its prefix is asked again, until the ledger shows its real rhythm.
 * `deferrable` lets its model calls wait in a vendor's batch API (half price) for up to
 * `maxWait` (default `gateway.batch.maxWait`); a normal call answers when that time, or the
 * task's deadline, comes first.
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
  cadence: Duration(7 * MAX_DEFERRAL_MS).optional(),
  deferrable: z.strictObject({ maxWait: Duration(MAX_DEFERRAL_MS).optional() }).optional(),
});
export type SkillRoute = z.infer<typeof SkillRoute>;
