import { nextTier, type Tier } from '@forge/contracts';
import { tierAbove } from './model-tier.js';
import type { RoutingConfig } from './routing-config.js';

/** How the gateway escalates one skill's calls, resolved from config defaults and its route. */
export interface EscalationPolicy {
  /** A classification `confidence` below this escalates one tier. */
  confidenceBelow: number;
  /** Retries on the same tier after a reply fails the skill's schema. */
  schemaRetries: number;
  /** Whether a reply still failing its schema after the retries escalates one tier. */
  onSchemaFailure: boolean;
}

/** The escalation policy of `skill`: its route's overrides on top of `escalation` defaults. */
export function escalationPolicyFor(config: RoutingConfig, skill: string): EscalationPolicy {
  const overrides = config.routes[skill]?.escalation;
  return {
    confidenceBelow: overrides?.confidenceBelow ?? config.escalation.confidenceBelow,
    schemaRetries: config.escalation.schemaRetries,
    onSchemaFailure: overrides?.onSchemaFailure ?? config.escalation.onSchemaFailure,
  };
}

/**
 * The tier one step above `currentTier`, or null when escalation must stop: at the top, above
 * the skill's `maxTier` (a critical skill's ceiling is frontier), or for `tool` (no model runs,
 * nothing to escalate). Escalation is one step at a time; the gateway must still pass budget
 * admission for the new tier.
 */
export function nextEscalation(args: { currentTier: Tier; maxTier: Tier; critical: boolean }): Tier | null {
  if (args.currentTier === 'tool') return null;
  const ceiling: Tier = args.critical ? 'frontier' : args.maxTier;
  const next = nextTier(args.currentTier);
  if (next === null || tierAbove(next, ceiling)) return null;
  return next;
}
