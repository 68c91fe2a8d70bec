import { z } from 'zod';
import { SkillRef } from './names.js';
import { Origin } from './origin.js';
import { RoutingDecision } from './routing.js';

/** Version of the envelope's shape; a consumer refuses versions it does not know. */
export const TASK_ENVELOPE_VERSION = 1;

/**
 * A task as it travels on the bus: what to run, for whom, and (once routed) on which tier.
 * `idempotencyKey` makes a resubmission the same task; `id` names the task everywhere
 * (Postgres row, A2A task id, status subject, ledger rows).
 */
export const TaskEnvelope = z.object({
  v: z.literal(TASK_ENVELOPE_VERSION),
  id: z.uuid(),
  skill: SkillRef,
  input: z.unknown(),
  origin: Origin,
  idempotencyKey: z.string().min(1).max(400),
  contextId: z.string().min(1).max(200),
  /** The task that asked for this one, when an agent hands work to another agent. */
  parentId: z.uuid().optional(),
  /** After this instant the task is failed instead of run. */
  deadline: z.iso.datetime().optional(),
  createdAt: z.iso.datetime(),
  routing: RoutingDecision.optional(),
});
export type TaskEnvelope = z.infer<typeof TaskEnvelope>;
