import {
  TaskState as A2AState,
  Artifact,
  type Message,
  type Part,
  Role,
  type StreamResponse,
  type Task,
  type TaskStatus,
} from '@a2a-js/sdk';
import {
  type ArtifactChunk,
  isTerminal,
  type StatusEvent,
  type TaskError,
  type TaskState,
} from '@forge/contracts';
import { RESULT_ARTIFACT_ID, recordToTask, type TaskRecord, toSdkState } from '@forge/store';

/**
 * The edge's view of tasks as A2A objects. Whole tasks come from the store's `recordToTask`
 * (one mapping for every reader); this file adds what only a relay needs: one committed change
 * as stream events, shaped exactly like the task the same change would read back as.
 */

/** The SDK's enum → contracts state; undefined for UNSPECIFIED and unknown values (no filter). */
export function fromA2AState(state: A2AState): TaskState | undefined {
  switch (state) {
    case A2AState.TASK_STATE_SUBMITTED:
      return 'submitted';
    case A2AState.TASK_STATE_WORKING:
      return 'working';
    case A2AState.TASK_STATE_INPUT_REQUIRED:
      return 'input-required';
    case A2AState.TASK_STATE_AUTH_REQUIRED:
      return 'auth-required';
    case A2AState.TASK_STATE_COMPLETED:
      return 'completed';
    case A2AState.TASK_STATE_FAILED:
      return 'failed';
    case A2AState.TASK_STATE_CANCELED:
      return 'canceled';
    case A2AState.TASK_STATE_REJECTED:
      return 'rejected';
    default:
      return undefined;
  }
}

/**
 * A stored task as an A2A Task. `historyLength` follows A2A: undefined → all, 0 → none, n → the
 * last n messages.
 */
export function toA2ATask(
  record: TaskRecord,
  options: { historyLength?: number | undefined; includeArtifacts?: boolean } = {},
): Task {
  const task = recordToTask(
    record,
    options.includeArtifacts === undefined ? {} : { includeArtifacts: options.includeArtifacts },
  );
  const n = options.historyLength;
  if (n !== undefined) task.history = n <= 0 ? [] : task.history.slice(-n);
  return task;
}

/**
 * One committed change of a task, whether it came as a status event or was read from Postgres.
 * `seq` orders changes; Postgres is the truth, events are the fast path.
 */
export interface TaskChange {
  readonly taskId: string;
  readonly seq: number;
  readonly state: TaskState;
  readonly at: string;
  readonly message?: string | undefined;
  readonly output?: unknown;
  readonly error?: TaskError | undefined;
  /** The whole committed record, when the change was read from Postgres or handed over by this
   *  process's worker (absent for an event that came over NATS). */
  readonly record?: TaskRecord | undefined;
  /** The artifact chunk this change committed (the state did not move). */
  readonly artifact?: ArtifactChunk | undefined;
  /** Read from Postgres after a gap in the events: changes in between (artifact chunks among
   *  them) are known only by their result, so a stream resends the stored artifacts whole. */
  readonly snapshot?: boolean;
}

export function changeFromRecord(record: TaskRecord, artifact?: ArtifactChunk): TaskChange {
  return {
    record,
    artifact,
    taskId: record.id,
    seq: record.seq,
    state: record.state,
    at: record.updatedAt,
    message: record.statusMessage,
    output: record.state === 'completed' ? record.output : undefined,
    error: record.error,
  };
}

export function changeFromEvent(event: StatusEvent): TaskChange {
  return {
    taskId: event.taskId,
    seq: event.seq,
    state: event.state,
    at: event.at,
    message: event.message,
    output: event.output,
    error: event.error,
    artifact: event.artifact,
  };
}

function statusOf(change: TaskChange, contextId: string): TaskStatus {
  const text = change.message ?? change.error?.message;
  const message: Message | undefined =
    text === undefined
      ? undefined
      : {
          // The same id `recordToTask` gives this change's status line, so a client can dedupe.
          messageId: `${change.taskId}:status:${change.seq}`,
          contextId,
          taskId: change.taskId,
          role: Role.ROLE_AGENT,
          parts: [
            {
              content: { $case: 'text', value: text },
              metadata: undefined,
              filename: '',
              mediaType: 'text/plain',
            },
          ],
          metadata: undefined,
          extensions: [],
          referenceTaskIds: [],
        };
  return { state: toSdkState(change.state), message, timestamp: change.at };
}

/** The output as the `result` artifact, as `recordToTask` shows it. */
function resultArtifact(skill: string, output: unknown): Artifact {
  const part: Part = {
    content: { $case: 'data', value: output },
    metadata: undefined,
    filename: '',
    mediaType: 'application/json',
  };
  return {
    artifactId: RESULT_ARTIFACT_ID,
    name: 'result',
    description: `Output of ${skill}`,
    parts: [part],
    metadata: undefined,
    extensions: [],
  };
}

function artifactUpdate(
  change: TaskChange,
  contextId: string,
  artifact: Artifact,
  append: boolean,
  lastChunk: boolean,
): StreamResponse {
  return {
    payload: {
      $case: 'artifactUpdate',
      value: { taskId: change.taskId, contextId, artifact, append, lastChunk, metadata: { seq: change.seq } },
    },
  };
}

/**
 * A change as stream responses (A2A v1.0 §4.2): an artifact chunk as one artifact update with its
 * `append` and `lastChunk`; a re-read after a gap resends every stored artifact whole; output
 * comes as the `result` artifact before the status update, so a client holds the result by the
 * time it sees `completed`.
 */
export function changeToStream(
  change: TaskChange,
  task: { contextId: string; skill: string },
): StreamResponse[] {
  if (change.artifact) {
    const { append, lastChunk, ...json } = change.artifact;
    return [artifactUpdate(change, task.contextId, Artifact.fromJSON(json), append, lastChunk)];
  }
  const out: StreamResponse[] = [];
  if (change.snapshot && change.record) {
    for (const json of change.record.a2a.artifacts) {
      const artifact = Artifact.fromJSON(json);
      if (artifact.artifactId !== RESULT_ARTIFACT_ID)
        out.push(artifactUpdate(change, task.contextId, artifact, false, isTerminal(change.state)));
    }
  }
  if (change.output !== undefined) {
    out.push({
      payload: {
        $case: 'artifactUpdate',
        value: {
          taskId: change.taskId,
          contextId: task.contextId,
          artifact: resultArtifact(task.skill, change.output),
          append: false,
          lastChunk: true,
          metadata: undefined,
        },
      },
    });
  }
  out.push({
    payload: {
      $case: 'statusUpdate',
      value: {
        taskId: change.taskId,
        contextId: task.contextId,
        status: statusOf(change, task.contextId),
        metadata: { seq: change.seq },
      },
    },
  });
  return out;
}
