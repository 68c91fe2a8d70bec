import type { Origin, RoutingDecision, SkillRef, TaskError, TaskState } from '@forge/contracts';
import { normalizeA2AExtras } from './a2a-extras.js';
import type { TaskA2AExtras, TaskRecord } from './task-repository.js';

/** The columns every task query returns, in the shape `rowToRecord` reads. */
export const TASK_COLUMNS = `id, skill, agent, owner, origin, idempotency_key, context_id, parent_id, state, seq,
  attempt, input, output, output IS NOT NULL AS has_output, error, status_message, routing, deadline, a2a,
  created_at, updated_at`;

/** A row as `pg` returns it: jsonb parsed, timestamptz as Date, uuid as lower-case text. */
export interface TaskRow {
  id: string;
  skill: string;
  agent: string;
  owner: string;
  origin: Origin;
  idempotency_key: string;
  context_id: string;
  parent_id: string | null;
  state: string;
  seq: number;
  attempt: number;
  input: unknown;
  output: unknown;
  has_output: boolean;
  error: TaskError | null;
  status_message: string | null;
  routing: RoutingDecision | null;
  deadline: Date | null;
  a2a: TaskA2AExtras;
  created_at: Date;
  updated_at: Date;
}

/**
 * Maps a row to a record. The row was written through validated paths, so this only reshapes:
 * NULL columns become absent keys, and times become ISO strings.
 */
export function rowToRecord(row: TaskRow): TaskRecord {
  const record: TaskRecord = {
    id: row.id,
    skill: row.skill as SkillRef,
    agent: row.agent,
    owner: row.owner,
    origin: row.origin,
    idempotencyKey: row.idempotency_key,
    contextId: row.context_id,
    state: row.state as TaskState,
    seq: row.seq,
    attempt: row.attempt,
    input: row.input,
    a2a: normalizeA2AExtras(row.a2a),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
  if (row.parent_id !== null) record.parentId = row.parent_id;
  if (row.has_output) record.output = row.output;
  if (row.error !== null) record.error = row.error;
  if (row.status_message !== null) record.statusMessage = row.status_message;
  if (row.routing !== null) record.routing = row.routing;
  if (row.deadline !== null) record.deadline = row.deadline.toISOString();
  return record;
}
