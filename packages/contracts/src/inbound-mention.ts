import { z } from 'zod';

/**
 * A mention of the operator's accounts from outside (a post that names or replies to them), as a
 * mentions source answers it (`GET /mentions?minutes=15` on the offline day, or the operator's
 * own gateway) and `engagement.triage-mentions` reads it. Its text is third-party data: material
 * to triage, never instructions.
 */
export const InboundMention = z.object({
  /** Stable across fetches: the same mention fetched twice has the same id (replies are keyed by it). */
  id: z.string().trim().min(1).max(200),
  author: z.string().trim().min(1).max(200),
  text: z.string().trim().min(1).max(5000),
  url: z.url({ protocol: /^https?$/ }).optional(),
  /** The channel it arrived on (`x`, `linkedin`, ...); the triage skill checks it is one it knows. */
  channel: z.string().trim().min(1).max(40).optional(),
  /** When it was posted. */
  at: z.iso.datetime({ offset: true }).optional(),
});
export type InboundMention = z.infer<typeof InboundMention>;

/** What a mentions source answers: the mentions of the window asked for, oldest first. */
export const InboundMentions = z.object({
  mentions: z.array(InboundMention).max(100),
});
export type InboundMentions = z.infer<typeof InboundMentions>;
