import { z } from 'zod';
import { BrainName } from './names.js';

/** Who set a task in motion. `by` is the principal that owns it and sees it in GetTask/ListTasks. */
export const OriginKind = z.enum(['schedule', 'a2a', 'agent', 'partner']);
export type OriginKind = z.infer<typeof OriginKind>;

export const Origin = z
  .object({
    kind: OriginKind,
    brain: BrainName,
    /** The partner company, for `partner` origins. */
    partner: z.string().min(1).max(100).optional(),
    /** The owning principal: an API principal, a schedule name, an agent, or a partner principal. */
    by: z.string().min(1).max(200),
  })
  .refine((o) => o.kind !== 'partner' || o.partner !== undefined, {
    message: 'partner is required when kind is partner',
    path: ['partner'],
  });
export type Origin = z.infer<typeof Origin>;

/** Principals of partner companies: `partner:<name>`, as the gateway presents them to agents. */
export const PARTNER_PRINCIPAL_PREFIX = 'partner:';

/** The partner a principal names (`partner:acme` → `acme`), or undefined for any other principal. */
export function partnerOfPrincipal(principal: string): string | undefined {
  return principal.startsWith(PARTNER_PRINCIPAL_PREFIX) && principal.length > PARTNER_PRINCIPAL_PREFIX.length
    ? principal.slice(PARTNER_PRINCIPAL_PREFIX.length)
    : undefined;
}

/**
 * The origin of work an A2A caller asked for: `partner` (naming the company) when the principal
 * is a partner's, so routing rules, budgets and the ledger see who asked; `a2a` otherwise.
 */
export function originOfPrincipal(brain: string, principal: string): Origin {
  const partner = partnerOfPrincipal(principal);
  return partner === undefined
    ? { kind: 'a2a', brain, by: principal }
    : { kind: 'partner', brain, partner, by: principal };
}
