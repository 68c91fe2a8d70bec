import { z } from 'zod';

/** A confidence threshold in [0, 1]: a classification whose `confidence` is below it escalates. */
export const ConfidenceThreshold = z.number().min(0).max(1);

/**
 * Escalation defaults for every skill; a route may override `confidenceBelow` and
 * `onSchemaFailure`. A reply failing the skill's schema is retried `schemaRetries` times on the
 * same tier, then (when `onSchemaFailure`) escalated one tier. Escalation never passes the
 * skill's `maxTier` and must pass budget admission like any call.
 */
export const EscalationConfig = z
  .strictObject({
    confidenceBelow: ConfidenceThreshold.default(0.6),
    schemaRetries: z.number().int().nonnegative().max(5).default(1),
    onSchemaFailure: z.boolean().default(true),
  })
  .prefault({});
export type EscalationConfig = z.infer<typeof EscalationConfig>;
