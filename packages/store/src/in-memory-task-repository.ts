import {
  ArtifactChunk,
  ForgeError,
  parseOrThrow,
  RoutingDecision,
  splitSkillRef,
  TaskEnvelope,
  type TaskState,
} from '@forge/contracts';
import { z } from 'zod';
import { emptyA2AExtras, mergeA2AExtras, mergeArtifactChunk } from './a2a-extras.js';
import { decodePageToken, encodePageToken } from './page-token.js';
import {
  A2AExtrasPatch,
  CreateTaskOptions,
  ListTasksQuery,
  type ListTasksResult,
  type TaskA2AExtras,
  type TaskRecord,
  type TaskRepository,
  TransitionChange,
} from './task-repository.js';
import { allowedFromStates, illegalTransition, taskNotFound } from './transition-rules.js';

const TaskId = z.uuid();

/**
 * TaskRepository in process memory, for unit tests of the code that uses a repository. Same
 * validation, transition rules, idempotency, ordering and pagination as PgTaskRepository (one
 * contract suite runs against both). Values pass through JSON as they would through jsonb, and
 * callers get copies, so mutating a returned record changes nothing stored.
 */
export class InMemoryTaskRepository implements TaskRepository {
  readonly #tasks = new Map<string, TaskRecord>();
  readonly #byKey = new Map<string, string>();
  /** Keys of follow-up messages: key → owner and task. */
  readonly #messageKeys = new Map<string, { owner: string; taskId: string }>();

  async create(
    envelope: TaskEnvelope,
    options: CreateTaskOptions = {},
  ): Promise<{ record: TaskRecord; created: boolean }> {
    const task = parseOrThrow(TaskEnvelope, envelope, 'task envelope');
    const { a2a } = parseOrThrow(CreateTaskOptions, options, 'create options');
    const existingId = this.#byKey.get(task.idempotencyKey);
    const existing = existingId === undefined ? undefined : this.#tasks.get(existingId);
    if (existing) {
      if (existing.owner !== task.origin.by) {
        throw new ForgeError('CONFLICT', 'idempotencyKey: already used by another owner', {
          retryable: false,
        });
      }
      return { record: structuredClone(existing), created: false };
    }
    const held = this.#messageKeys.get(task.idempotencyKey);
    if (held) throw keyHeld(held.owner === task.origin.by ? held.taskId : undefined);
    const id = task.id.toLowerCase();
    if (this.#tasks.has(id)) {
      throw new ForgeError('CONFLICT', `task id ${task.id} is already used by another task`, {
        retryable: false,
        details: { taskId: task.id },
      });
    }
    const record: TaskRecord = {
      id,
      skill: task.skill,
      agent: splitSkillRef(task.skill).agent,
      owner: task.origin.by,
      origin: jsonCopy(task.origin),
      idempotencyKey: task.idempotencyKey,
      contextId: task.contextId,
      state: 'submitted',
      seq: 0,
      attempt: 0,
      input: jsonCopy(task.input ?? null),
      a2a: mergeA2AExtras(emptyA2AExtras(), jsonCopy(a2a ?? {})),
      createdAt: isoMillis(task.createdAt),
      updatedAt: new Date().toISOString(),
    };
    if (task.parentId !== undefined) record.parentId = task.parentId.toLowerCase();
    if (task.routing !== undefined) record.routing = jsonCopy(task.routing);
    if (task.deadline !== undefined) record.deadline = isoMillis(task.deadline);
    this.#tasks.set(id, record);
    this.#byKey.set(task.idempotencyKey, id);
    return { record: structuredClone(record), created: true };
  }

  async get(id: string): Promise<TaskRecord | null> {
    const record = this.#find(id);
    return record ? structuredClone(record) : null;
  }

  async getOwned(id: string, owner: string): Promise<TaskRecord | null> {
    const record = this.#find(id);
    return record && record.owner === owner ? structuredClone(record) : null;
  }

  async list(query: ListTasksQuery): Promise<ListTasksResult> {
    const q = parseOrThrow(ListTasksQuery, query, 'list query');
    const cursor = q.pageToken === undefined ? undefined : decodePageToken(q.pageToken);
    const after = q.updatedAfter === undefined ? undefined : Date.parse(q.updatedAfter);
    const matching = [...this.#tasks.values()]
      .filter(
        (r) =>
          r.owner === q.owner &&
          (q.contextId === undefined || r.contextId === q.contextId) &&
          (q.state === undefined || r.state === q.state) &&
          (after === undefined || Date.parse(r.updatedAt) >= after),
      )
      .sort(latestFirst);
    const rest = cursor === undefined ? matching : matching.filter((r) => latestFirst(r, cursor) > 0);
    const records = rest.slice(0, q.pageSize).map((r) => structuredClone(r));
    const last = records.at(-1);
    const more = rest.length > q.pageSize && last !== undefined;
    return {
      records,
      totalSize: matching.length,
      ...(more ? { nextPageToken: encodePageToken({ updatedAt: last.updatedAt, id: last.id }) } : {}),
    };
  }

  async transition(id: string, change: TransitionChange): Promise<TaskRecord> {
    const c = parseOrThrow(TransitionChange, change, 'transition');
    const record = this.#find(id);
    if (!record) throw taskNotFound(id);
    if (!allowedFromStates(c.to, c.from).includes(record.state)) {
      throw illegalTransition(id, record.state, c.to, c.from);
    }
    record.state = c.to;
    record.seq += 1;
    if (c.newAttempt) record.attempt += 1;
    if (c.message === undefined) delete record.statusMessage;
    else record.statusMessage = c.message;
    if (c.output !== undefined) record.output = jsonCopy(c.output);
    if (c.error !== undefined) record.error = jsonCopy(c.error);
    if (c.history !== undefined) record.a2a.history = [...record.a2a.history, ...jsonCopy(c.history)];
    if (c.metadata !== undefined) record.a2a.metadata = { ...record.a2a.metadata, ...jsonCopy(c.metadata) };
    record.updatedAt = new Date().toISOString();
    return structuredClone(record);
  }

  async appendArtifact(id: string, chunk: ArtifactChunk, from: readonly TaskState[]): Promise<TaskRecord> {
    const c = parseOrThrow(ArtifactChunk, chunk, 'artifact chunk');
    const record = this.#find(id);
    if (!record) throw taskNotFound(id);
    if (!from.includes(record.state)) {
      throw new ForgeError('ILLEGAL_TRANSITION', `task ${id} is ${record.state}; it takes no artifacts now`, {
        retryable: false,
        details: { taskId: id, from: record.state },
      });
    }
    record.a2a.artifacts = mergeArtifactChunk(record.a2a.artifacts, jsonCopy(c));
    record.seq += 1;
    record.updatedAt = new Date().toISOString();
    return structuredClone(record);
  }

  async setRouting(id: string, decision: RoutingDecision): Promise<RoutingDecision> {
    const routing = parseOrThrow(RoutingDecision, decision, 'routing decision');
    const record = this.#find(id);
    if (!record) throw taskNotFound(id);
    record.routing ??= jsonCopy(routing);
    return structuredClone(record.routing);
  }

  async updateA2A(id: string, a2a: Partial<TaskA2AExtras>): Promise<void> {
    const patch = parseOrThrow(A2AExtrasPatch, a2a, 'a2a extras');
    const record = this.#find(id);
    if (!record) throw taskNotFound(id);
    record.a2a = mergeA2AExtras(record.a2a, jsonCopy(patch));
  }

  async appendMessage(
    id: string,
    message: unknown,
    key: { idempotencyKey: string; owner: string },
  ): Promise<void> {
    const patch = parseOrThrow(A2AExtrasPatch, { history: [message] }, 'a2a extras');
    const record = this.#find(id);
    if (!record) throw taskNotFound(id);
    const first = this.#byKey.get(key.idempotencyKey);
    if (first !== undefined && first !== record.id) throw keyHeld(first);
    const held = this.#messageKeys.get(key.idempotencyKey);
    if (held && held.taskId !== record.id) throw keyHeld(held.owner === key.owner ? held.taskId : undefined);
    this.#messageKeys.set(key.idempotencyKey, { owner: key.owner, taskId: record.id });
    record.a2a = mergeA2AExtras(record.a2a, jsonCopy(patch));
  }

  /** Nothing to flush: every change here is as durable as the process. */
  async flush(): Promise<void> {}

  #find(id: string): TaskRecord | undefined {
    return TaskId.safeParse(id).success ? this.#tasks.get(id.toLowerCase()) : undefined;
  }
}

/** Orders like `ORDER BY updated_at DESC, id DESC`: negative when `a` comes first. */
function latestFirst(
  a: Pick<TaskRecord, 'updatedAt' | 'id'>,
  b: Pick<TaskRecord, 'updatedAt' | 'id'>,
): number {
  if (a.updatedAt !== b.updatedAt) return a.updatedAt < b.updatedAt ? 1 : -1;
  if (a.id !== b.id) return a.id < b.id ? 1 : -1;
  return 0;
}

function keyHeld(taskId: string | undefined): ForgeError {
  return new ForgeError(
    'CONFLICT',
    taskId
      ? `idempotencyKey: already names a message of task ${taskId}`
      : 'idempotencyKey: already used by another owner',
    { retryable: false, ...(taskId ? { details: { taskId } } : {}) },
  );
}

/** What a jsonb round trip would make of a value. */
function jsonCopy<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** The instant truncated to milliseconds, as Postgres stores it here. */
function isoMillis(iso: string): string {
  return new Date(iso).toISOString();
}
