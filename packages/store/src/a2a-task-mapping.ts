import { Artifact, Message, type Part, Role, TaskState as SdkTaskState, type Task } from '@a2a-js/sdk';
import { assertNever, ForgeError, type TaskState } from '@forge/contracts';
import type { TaskA2AExtras, TaskRecord } from './task-repository.js';

/** The artifact that carries a task's output; derived from the record, never stored as an extra. */
export const RESULT_ARTIFACT_ID = 'result';

/** Metadata keys the store fills from the record; a save cannot overwrite them. */
export const RESERVED_METADATA_KEYS = ['skill', 'agent', 'attempt', 'routing', 'error'] as const;

/** Forge's state name as the SDK's v1.0 enum. */
export function toSdkState(state: TaskState): SdkTaskState {
  switch (state) {
    case 'submitted':
      return SdkTaskState.TASK_STATE_SUBMITTED;
    case 'working':
      return SdkTaskState.TASK_STATE_WORKING;
    case 'input-required':
      return SdkTaskState.TASK_STATE_INPUT_REQUIRED;
    case 'auth-required':
      return SdkTaskState.TASK_STATE_AUTH_REQUIRED;
    case 'completed':
      return SdkTaskState.TASK_STATE_COMPLETED;
    case 'failed':
      return SdkTaskState.TASK_STATE_FAILED;
    case 'canceled':
      return SdkTaskState.TASK_STATE_CANCELED;
    case 'rejected':
      return SdkTaskState.TASK_STATE_REJECTED;
    default:
      return assertNever(state, 'task state');
  }
}

/** The SDK's enum as Forge's state; undefined for UNSPECIFIED (no state given). BAD_INPUT otherwise. */
export function fromSdkState(state: SdkTaskState): TaskState | undefined {
  switch (state) {
    case SdkTaskState.TASK_STATE_UNSPECIFIED:
      return undefined;
    case SdkTaskState.TASK_STATE_SUBMITTED:
      return 'submitted';
    case SdkTaskState.TASK_STATE_WORKING:
      return 'working';
    case SdkTaskState.TASK_STATE_INPUT_REQUIRED:
      return 'input-required';
    case SdkTaskState.TASK_STATE_AUTH_REQUIRED:
      return 'auth-required';
    case SdkTaskState.TASK_STATE_COMPLETED:
      return 'completed';
    case SdkTaskState.TASK_STATE_FAILED:
      return 'failed';
    case SdkTaskState.TASK_STATE_CANCELED:
      return 'canceled';
    case SdkTaskState.TASK_STATE_REJECTED:
      return 'rejected';
    case SdkTaskState.UNRECOGNIZED:
      throw new ForgeError('BAD_INPUT', `status.state: unknown task state ${String(state)}`, {
        retryable: false,
      });
    default:
      return assertNever(state, 'A2A task state');
  }
}

/**
 * A stored task as the SDK's v1.0 `Task`: status from the record (state, the status line or the
 * error as an agent message, the time of the last state change), the output as a data artifact
 * named `result` ahead of any stored artifacts, the stored history, and metadata with the skill,
 * agent, attempt, routing decision and error next to the stored metadata.
 */
export function recordToTask(record: TaskRecord, opts: { includeArtifacts?: boolean } = {}): Task {
  const statusText = record.statusMessage ?? record.error?.message;
  const stored = record.a2a.artifacts
    .map((json) => Artifact.fromJSON(json))
    .filter((artifact) => artifact.artifactId !== RESULT_ARTIFACT_ID);
  const artifacts = opts.includeArtifacts === false ? [] : [...resultArtifact(record), ...stored];
  return {
    id: record.id,
    contextId: record.contextId,
    status: {
      state: toSdkState(record.state),
      message: statusText === undefined ? undefined : statusMessage(record, statusText),
      timestamp: record.updatedAt,
    },
    artifacts,
    history: record.a2a.history.map((json) => Message.fromJSON(json)),
    metadata: {
      ...record.a2a.metadata,
      skill: record.skill,
      agent: record.agent,
      attempt: record.attempt,
      ...(record.routing === undefined ? {} : { routing: record.routing }),
      ...(record.error === undefined ? {} : { error: record.error }),
    },
  };
}

/**
 * What a `save` may write: the task's history, its artifacts except the derived result, and its
 * metadata without the reserved keys. All as protocol JSON, ready for jsonb.
 */
export function taskToExtras(task: Task): TaskA2AExtras {
  const metadata: Record<string, unknown> = { ...(task.metadata ?? {}) };
  for (const key of RESERVED_METADATA_KEYS) delete metadata[key];
  return {
    history: (task.history ?? []).map((message) => Message.toJSON(message)),
    artifacts: (task.artifacts ?? [])
      .filter((artifact) => artifact.artifactId !== RESULT_ARTIFACT_ID)
      .map((artifact) => Artifact.toJSON(artifact)),
    metadata,
  };
}

function resultArtifact(record: TaskRecord): Artifact[] {
  if (record.output === undefined) return [];
  const part: Part = {
    content: { $case: 'data', value: record.output },
    metadata: undefined,
    filename: '',
    mediaType: 'application/json',
  };
  return [
    {
      artifactId: RESULT_ARTIFACT_ID,
      name: 'result',
      description: `Output of ${record.skill}`,
      parts: [part],
      metadata: undefined,
      extensions: [],
    },
  ];
}

/** The status line as an agent message; its id is stable per state change, so re-reads dedupe. */
function statusMessage(record: TaskRecord, text: string): Message {
  return {
    messageId: `${record.id}:status:${record.seq}`,
    contextId: record.contextId,
    taskId: record.id,
    role: Role.ROLE_AGENT,
    parts: [
      { content: { $case: 'text', value: text }, metadata: undefined, filename: '', mediaType: 'text/plain' },
    ],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
}
