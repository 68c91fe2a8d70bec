import { CHANNEL_RULES, Channel, channelLength } from '@forge/channel-text';
import { z } from 'zod';
import { evaluate } from './evaluate.js';
import { POLICY_VERSION, RULES } from './rules.js';

export const CheckTextInput = z.object({
  /** The exact text that would go out. */
  text: z.string().min(1).max(100_000),
  channel: Channel,
  /** Competitor names; disparaging words in the same sentence need review. */
  competitors: z.array(z.string().trim().min(2).max(100)).max(100).default([]),
  /** The company's own e-mail addresses and phone numbers, which may appear. */
  allowedContacts: z.array(z.string().trim().min(3).max(200)).max(50).default([]),
  /** Overrides topic detection: true applies the cannabis advertising rules, false skips them. */
  cannabisContent: z.boolean().optional(),
});
export type CheckTextInput = z.input<typeof CheckTextInput>;

export const Violation = z.object({
  ruleId: z.string(),
  category: z.enum(['cannabis-advertising', 'brand-safety', 'format']),
  severity: z.enum(['block', 'review']),
  /** UTF-16 offsets [start, end) into `text`; null when the fault is something missing. */
  span: z.object({ start: z.number().int().nonnegative(), end: z.number().int().nonnegative() }).nullable(),
  excerpt: z.string().nullable(),
  why: z.string(),
});

export const CheckTextOutput = z.object({
  decision: z.enum(['allow', 'needs-review', 'block']),
  channel: Channel,
  policyVersion: z.string(),
  cannabisContent: z.boolean(),
  /** Length as the channel counts it, and its limit (null for none). */
  length: z.object({
    counted: z.number().int().nonnegative(),
    limit: z.number().int().positive().nullable(),
  }),
  violations: z.array(Violation),
});
export type CheckTextOutput = z.infer<typeof CheckTextOutput>;

/**
 * The policy decision for a text on a channel: `block` when any blocking rule fires,
 * `needs-review` when only review rules fire, `allow` otherwise. Deterministic for a given
 * POLICY_VERSION, so a decision can be re-derived later.
 */
export function checkText(rawInput: CheckTextInput): CheckTextOutput {
  const input = CheckTextInput.parse(rawInput);
  const result = evaluate(input.text, RULES, {
    channel: input.channel,
    competitors: input.competitors,
    allowedContacts: input.allowedContacts,
    ...(input.cannabisContent === undefined ? {} : { cannabisContent: input.cannabisContent }),
  });
  return {
    decision: result.decision,
    channel: input.channel,
    policyVersion: POLICY_VERSION,
    cannabisContent: result.cannabisContent,
    length: {
      counted: channelLength(input.text, input.channel),
      limit: CHANNEL_RULES[input.channel].maxLength,
    },
    violations: result.violations,
  };
}
