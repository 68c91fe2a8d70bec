import { AgentName, OriginKind } from '@forge/contracts';
import { z } from 'zod';
import { ModelTier, tierAbove } from './model-tier.js';
import { SkillGlob } from './skill-glob.js';

/** One value or a non-empty list of them; always a list after parsing. */
function oneOrMany<T extends z.ZodType>(item: T) {
  return z
    .union([item, z.array(item).min(1)])
    .transform((v) => (Array.isArray(v) ? v : [v]) as z.output<T>[]);
}

const Tokens = z.number().int().nonnegative();

/**
 * When a rule applies: every condition given must hold (AND); a list means any of its values
 * (OR). `partner` holds only for tasks from that partner company (origin kind `partner`).
 * `utcHours` is the half-open hour range [from, to) in UTC, wrapping midnight when from > to.
 * `pendingTasksAbove` reads the router's backlog at decision time.
 */
export const RuleWhen = z
  .strictObject({
    skill: oneOrMany(SkillGlob).optional(),
    agent: oneOrMany(AgentName).optional(),
    origin: oneOrMany(OriginKind).optional(),
    partner: oneOrMany(z.string().min(1).max(100)).optional(),
    principal: oneOrMany(z.string().min(1).max(200)).optional(),
    inputTokensAbove: Tokens.optional(),
    inputTokensAtMost: Tokens.optional(),
    jsonRequested: z.boolean().optional(),
    toolsRequested: z.boolean().optional(),
    pendingTasksAbove: Tokens.optional(),
    utcHours: z
      .strictObject({ from: z.number().int().min(0).max(23), to: z.number().int().min(0).max(24) })
      .refine((h) => h.from !== h.to, { message: 'from and to must differ', path: ['to'] })
      .optional(),
  })
  .refine((when) => Object.values(when).some((v) => v !== undefined), {
    message: 'a rule needs at least one condition (use skill: "*" to match every task)',
  });
export type RuleWhen = z.infer<typeof RuleWhen>;

/**
 * What a rule does to the tier: `atLeast` lifts it, `atMost` lowers it. Rules move model tiers
 * only: a `tool` task runs no model and stays `tool`.
 */
export const RuleEffect = z
  .strictObject({ atLeast: ModelTier.optional(), atMost: ModelTier.optional() })
  .refine((effect) => effect.atLeast !== undefined || effect.atMost !== undefined, {
    message: 'a rule needs atLeast or atMost',
  })
  .refine((effect) => !(effect.atLeast && effect.atMost && tierAbove(effect.atLeast, effect.atMost)), {
    message: 'atLeast must not be above atMost',
    path: ['atLeast'],
  });
export type RuleEffect = z.infer<typeof RuleEffect>;

/**
 * A declarative routing rule: data, not code. `when` the conditions hold, the `tier` moves as
 * said: `{ when: { inputTokensAbove: 20000 }, tier: { atLeast: mid } }`. (The effect is not
 * called `then`: an object with a `then` key is treated as a promise by `await`.) Rules run in
 * the order written, after the base tier and before the budget; each one that matches is applied
 * and named in the decision's reasons (`rule <name>: ...`), with `reason` saying why in words.
 */
export const RoutingRule = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'must be 1-64 of a-z, 0-9, - and start with a letter'),
  when: RuleWhen,
  tier: RuleEffect,
  reason: z.string().min(1).max(300).optional(),
});
export type RoutingRule = z.infer<typeof RoutingRule>;
