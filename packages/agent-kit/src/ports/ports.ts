import type {
  AgentEvent,
  ArtifactChunk,
  CancelReply,
  CancelRequest,
  StatusEvent,
  TaskEnvelope,
} from '@forge/contracts';
import type { TaskRecord } from '@forge/store';

/**
 * The narrow views of NATS the kit's edge and worker use. Production wires them to `@forge/bus`
 * (see `nats-ports.ts`); unit tests use in-memory ones. Keeping them narrow keeps the edge and
 * worker logic readable and testable without a server.
 */

/** Puts a task envelope on the bus (the agent's run subject, or the router's subject). */
export interface TaskDispatcher {
  /** Resolves once JetStream stored it; `msgId` de-duplicates a re-publish within the window. */
  dispatch(envelope: TaskEnvelope, msgId: string): Promise<void>;
}

/** Announces a committed change of a task (core NATS `status.<taskId>`). */
export interface StatusPublisher {
  /** Fire-and-forget: Postgres holds the truth, listeners re-read it when an event is lost.
   *  `artifact`: the chunk this change committed, when it was one. */
  publish(record: TaskRecord, artifact?: ArtifactChunk): void;
}

/** Publishes an AgentEvent to the EVENTS stream. */
export interface EventPublisher {
  publish(event: AgentEvent): Promise<void>;
}

/** The edge's side of cancel: asks whichever worker holds the task. */
export interface CancelRequester {
  /** The holder's reply, or null when no worker answered within `timeoutMs` (nobody holds it). */
  request(request: CancelRequest, timeoutMs: number): Promise<CancelReply | null>;
}

/** The worker's side of cancel: every worker of the agent hears every request (no queue group). */
export interface CancelListener {
  /** `handler` returns a reply when this worker holds the task, null to stay silent (so the
   *  holder's answer is the one the edge gets). */
  listen(handler: (request: CancelRequest) => CancelReply | null): Promise<{ stop(): Promise<void> }>;
}

/** The status event for a record's current state; `output` only once completed. */
export function statusEventOf(record: TaskRecord, artifact?: ArtifactChunk): StatusEvent {
  return {
    v: 1,
    taskId: record.id,
    state: record.state,
    seq: record.seq,
    at: record.updatedAt,
    ...(record.statusMessage !== undefined ? { message: record.statusMessage } : {}),
    ...(record.state === 'completed' && record.output !== undefined ? { output: record.output } : {}),
    ...(record.error ? { error: record.error } : {}),
    ...(artifact ? { artifact } : {}),
  };
}
