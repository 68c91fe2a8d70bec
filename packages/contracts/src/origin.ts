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
