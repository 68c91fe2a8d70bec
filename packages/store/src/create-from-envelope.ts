import { isForgeError, type TaskEnvelope } from '@forge/contracts';
import type { TaskRecord, TaskRepository } from './task-repository.js';

/**
 * What creating a task's row from its envelope came to: the task's own row (made now or found),
 * or `duplicateOf`: the envelope's idempotency key already names another task of the same
 * caller (its row, or one of its messages).
 */
export type EnvelopeRow = { readonly record: TaskRecord } | { readonly duplicateOf: string };

/**
 * Creates the row of a task whose envelope is on the bus but whose row is missing (a Postgres
 * crash lost a non-durable insert, or the publisher made none). When the caller retried the same
 * message first, the key now names that retry's task: this envelope is a duplicate of it and must
 * not be run (its own row can never be made under that key), so the consumer acks and drops it.
 * A key held by another caller stays an error (CONFLICT, not retryable).
 */
export async function createFromEnvelope(
  tasks: TaskRepository,
  envelope: TaskEnvelope,
): Promise<EnvelopeRow> {
  try {
    const { record } = await tasks.create(envelope);
    return record.id === envelope.id ? { record } : { duplicateOf: record.id };
  } catch (error) {
    // The key names a follow-up message of another task of this caller (the store names it).
    const held = isForgeError(error, 'CONFLICT') ? error.details?.taskId : undefined;
    if (typeof held === 'string' && held !== envelope.id) return { duplicateOf: held };
    throw error;
  }
}
