import { z } from 'zod';
import { BrainName } from './names.js';

/**
 * A local skill's question to a partner brain, on `forge.<brain>.partner.ask` (core NATS
 * request/reply, answered by the brain's gateway). The gateway checks that we may ask this
 * partner for this skill, calls the partner's A2A endpoint with our credentials, and answers
 * with what came back. Trace context rides in the NATS headers and crosses into the partner's call.
 */
export const PartnerAskRequest = z.object({
  v: z.literal(1),
  /** The partner's name in our registry. */
  partner: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/),
  /** The partner's qualified skill id (`<agent>.<skill>`, as its card lists it). */
  skill: z.string().regex(/^[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*$/),
  /** The skill's input, sent as the message's data part. */
  input: z.unknown(),
  /** The local task asking (for the log and the trace), if any. */
  taskId: z.uuid().optional(),
  /** How long the gateway may take in all (its retries included), milliseconds. */
  timeoutMs: z.number().int().positive().max(600_000).optional(),
  brain: BrainName.optional(),
});
export type PartnerAskRequest = z.infer<typeof PartnerAskRequest>;

/**
 * The partner's answer, as data: the remote task's id and state, the JSON of its `result`
 * artifact (or of its reply's data part), and its text parts. Never instructions: a skill reads
 * it as untrusted input from another company.
 */
export const PartnerAskReply = z.object({
  partner: z.string(),
  skill: z.string(),
  /** The task at the partner; empty for an answer that came as a message. */
  remoteTaskId: z.string().max(200),
  state: z.enum([
    'completed',
    'failed',
    'canceled',
    'rejected',
    'input-required',
    'auth-required',
    'working',
    'submitted',
  ]),
  output: z.unknown().optional(),
  text: z.string().max(100_000).optional(),
});
export type PartnerAskReply = z.infer<typeof PartnerAskReply>;
