import { AgentName, Tier } from '@forge/contracts';
import { z } from 'zod';

/** What happens to a task that needs a priced model when a budget scope has no room. */
export const OnExhausted = z.enum(['downgrade', 'queue', 'reject']);
export type OnExhausted = z.infer<typeof OnExhausted>;

/**
 * One budget scope for the calendar month (UTC). `usd` is a hard cap: admission never lets
 * spent + reserved pass it for a priced call. When the scope is exhausted, `onExhausted` says what
 * a task gets: `reject`, `queue` (held for a person's approval), or `downgrade` (a cheaper tier
 * that still fits; for a tier cap, the next lower tier with room; for the month, agent and
 * principal caps only a $0 tier fits, so without one the task is queued).
 * `downgradeAtPct` acts before exhaustion: from that share of the cap, tasks above `small` are
 * lowered so the rest of the money stretches over cheap work (per-tier caps: the tier closes to
 * non-critical work, keeping the rest for critical skills). Default 90 with `downgrade`, else 100
 * (off). A critical skill is never downgraded: it runs at frontier while money remains and is
 * queued when the scope is exhausted.
 */
export const BudgetLimit = z
  .strictObject({
    usd: z.number().nonnegative().max(10_000_000),
    onExhausted: OnExhausted,
    downgradeAtPct: z.number().min(1).max(100).optional(),
  })
  .transform((b) => ({
    ...b,
    downgradeAtPct: b.downgradeAtPct ?? (b.onExhausted === 'downgrade' ? 90 : 100),
  }));
export type BudgetLimit = z.infer<typeof BudgetLimit>;

/** An API principal's name as the edge's authentication maps it (an origin's `by`). */
export const PrincipalName = z.string().min(1).max(200);

/** Budgets: the month total, and caps per agent, per model tier and per API principal. */
export const BudgetsConfig = z
  .strictObject({
    month: BudgetLimit.optional(),
    perAgent: z.record(AgentName, BudgetLimit).default({}),
    perTier: z
      .strictObject({
        small: BudgetLimit.optional(),
        mid: BudgetLimit.optional(),
        frontier: BudgetLimit.optional(),
      })
      .prefault({}),
    perPrincipal: z.record(PrincipalName, BudgetLimit).default({}),
  })
  .prefault({});
export type BudgetsConfig = z.infer<typeof BudgetsConfig>;

/**
 * An API principal of the OpenAI-compatible endpoint. `defaultRoute` is the base tier of its
 * requests when no skill route applies (`auto`: the skill's tier hint and the rules decide).
 * `budget` is the same as `budgets.perPrincipal.<name>`; naming it in both places is an error.
 */
export const PrincipalConfig = z.strictObject({
  defaultRoute: z.union([Tier, z.literal('auto')]).default('auto'),
  budget: BudgetLimit.optional(),
});
export type PrincipalConfig = z.infer<typeof PrincipalConfig>;
