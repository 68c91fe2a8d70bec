import {
  type ArtifactChunk,
  type Origin,
  type RoutingDecision,
  type SkillRef,
  type TaskEnvelope,
  TaskError,
  TaskState,
} from '@forge/contracts';
import { z } from 'zod';

/** A2A-side extras of a task, kept as protocol JSON: only the edge's TaskStore writes them. */
export interface TaskA2AExtras {
  history: unknown[];
  artifacts: unknown[];
  metadata: Record<string, unknown>;
}

/**
 * A task as stored. `owner` is `origin.by`; `agent` is the agent part of `skill`. `seq` grows by
 * one per state change; `attempt` counts worker starts (0 before the first). Times are ISO 8601
 * UTC strings with millisecond precision; `createdAt` is the envelope's own `createdAt`.
 */
export interface TaskRecord {
  id: string;
  skill: SkillRef;
  agent: string;
  owner: string;
  origin: Origin;
  idempotencyKey: string;
  contextId: string;
  parentId?: string;
  state: TaskState;
  seq: number;
  attempt: number;
  input: unknown;
  output?: unknown;
  error?: TaskError;
  statusMessage?: string;
  routing?: RoutingDecision;
  deadline?: string;
  a2a: TaskA2AExtras;
  createdAt: string;
  updatedAt: string;
}

export const TransitionChange = z
  .object({
    to: TaskState,
    /** Compare-and-set: the move happens only if the task is in one of these states. */
    from: z.array(TaskState).min(1).optional(),
    /** The status line callers see; replaces the previous one (cleared when omitted). */
    message: z.string().max(4000).optional(),
    output: z.unknown().optional(),
    error: TaskError.optional(),
    /** Counts a new worker start (a first run or a redelivery). */
    newAttempt: z.boolean().optional(),
    /** A2A messages appended to the task's history in the same statement (e.g. the agent's reply). */
    history: z.array(z.record(z.string(), z.unknown())).max(10).optional(),
    /** Keys merged into the task's A2A metadata in the same statement. */
    metadata: z.record(z.string(), z.unknown()).optional(),
    /**
     * false: the commit does not wait for its WAL flush (`synchronous_commit` off for this
     * statement's transaction). Only for a move to `working` (a worker's claim): a Postgres crash
     * can then lose the mark, never anything else, since the message is not acked and comes again;
     * the holder's next durable commit (its end state) flushes the WAL, the mark with it.
     */
    durable: z.boolean().optional(),
    /**
     * The seq the holder's claim produced. When the row is one change short of it (the claim was
     * non-durable and a Postgres crash lost it), the move is made from there and the claim is
     * counted again (attempt + 1, seq + 2) in the same statement, so the end state is not refused
     * for a mark that was lost.
     */
    claimSeq: z.number().int().min(1).optional(),
  })
  .refine((c) => c.durable !== false || c.to === 'working', {
    message: 'only a move to working may be non-durable',
    path: ['durable'],
  });
export type TransitionChange = z.input<typeof TransitionChange>;

export const ListTasksQuery = z.object({
  owner: z.string().min(1),
  contextId: z.string().min(1).optional(),
  state: TaskState.optional(),
  /** Only tasks whose last change is at or after this instant (A2A `statusTimestampAfter`). */
  updatedAfter: z.iso.datetime({ offset: true }).optional(),
  pageSize: z.number().int().min(1).max(100),
  pageToken: z.string().min(1).optional(),
});
export type ListTasksQuery = z.input<typeof ListTasksQuery>;

export interface ListTasksResult {
  /** Most recently updated first (updatedAt, then id, descending), as A2A ListTasks orders them. */
  records: TaskRecord[];
  /** Present when more records follow; opaque, pass it back as `pageToken`. */
  nextPageToken?: string;
  /** How many records match the filters, over all pages. */
  totalSize: number;
}

export const A2AExtrasPatch = z.object({
  history: z.array(z.unknown()).optional(),
  artifacts: z.array(z.unknown()).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

/** Options of `TaskRepository.create`. */
export const CreateTaskOptions = z.object({
  /** A2A extras the new row starts with (the caller's first message as `history`), written by the
   *  same INSERT as the row: one commit, not a create and then an updateA2A. Stored as updateA2A
   *  would merge them into empty extras. Ignored when the create finds an existing task. */
  a2a: A2AExtrasPatch.optional(),
  /**
   * false: the INSERT commits without waiting for its WAL flush (`synchronous_commit` off for its
   * transaction). WAL is flushed in order, so the row is on disk once any later durable commit on
   * the server returns (the router's decision, the worker's end state) or `flush()` does. Only
   * for a caller that shows the task to nobody before one of those: the edge's blocking
   * SendMessage, whose answer is the worker's durable end, or follows `flush()`. A Postgres crash
   * before then can lose the row; the task's message is on the bus (its envelope carries the
   * idempotency key), and the router creates the row from it (`createFromEnvelope`), as for any
   * published envelope, without the caller's A2A message (the envelope does not carry it). If the
   * caller's retry made another task under the key first, the envelope is dropped as a duplicate.
   */
  durable: z.boolean().optional(),
});
export type CreateTaskOptions = z.input<typeof CreateTaskOptions>;

/**
 * Where tasks live. The worker that holds a task is its one writer after SUBMITTED: it moves the
 * state with `transition`, a compare-and-set along the legal edges of the contracts state machine.
 * The A2A edge only creates (in `submitted`, with its first A2A extras), reads, and writes A2A
 * extras with `updateA2A`.
 */
export interface TaskRepository {
  /** Inserts in `submitted`, with `options.a2a` as its A2A extras in the same statement; a second
   *  create with the same idempotencyKey returns the first record unchanged, created=false (its
   *  extras are not merged again, so a retried call never duplicates history). BAD_INPUT for an
   *  invalid envelope or extras (naming the field); CONFLICT when the key or id is taken by
   *  another owner's task, or the key by a follow-up message (see `appendMessage`). */
  create(
    envelope: TaskEnvelope,
    options?: CreateTaskOptions,
  ): Promise<{ record: TaskRecord; created: boolean }>;
  /** null when there is no such task (an id that is not a UUID included). */
  get(id: string): Promise<TaskRecord | null>;
  /** null when the task does not exist or belongs to someone else (do not reveal which). */
  getOwned(id: string, owner: string): Promise<TaskRecord | null>;
  /** One owner's tasks, most recently updated first, keyset-paged on (updatedAt, id); pageSize
   *  1..100. A task updated between two pages moves to the front (A2A orders by last update). */
  list(query: ListTasksQuery): Promise<ListTasksResult>;
  /** Compare-and-set: moves the task only along a legal edge (contracts `canTransition`) and only
   *  from one of `from` when given; bumps seq; `newAttempt` bumps attempt. ILLEGAL_TRANSITION
   *  otherwise (naming the state found and the one asked for), NOT_FOUND if missing. The state,
   *  output, error and status line change together in one statement. */
  transition(id: string, change: TransitionChange): Promise<TaskRecord>;
  /** Commits a chunk of an artifact (see `ArtifactChunk`: appended to the artifact of its id, or
   *  replacing it, or added) as a change of the task: seq grows, the state stays. Compare-and-set
   *  on `from` like `transition` (ILLEGAL_TRANSITION otherwise, NOT_FOUND if missing). */
  appendArtifact(id: string, chunk: ArtifactChunk, from: readonly TaskState[]): Promise<TaskRecord>;
  /** Stores the routing decision once; a later call returns the stored one unchanged. */
  setRouting(id: string, decision: RoutingDecision): Promise<RoutingDecision>;
  /** Merges A2A-side extras: history by messageId and artifacts by artifactId (a new entry
   *  replaces the one with its id, others append), metadata key by key. Never touches state. */
  updateA2A(id: string, a2a: Partial<TaskA2AExtras>): Promise<void>;
  /** Adds a follow-up message to the task's history under its idempotency key, in one
   *  transaction: the key then names this message of this task for good. The same key for the
   *  same task again only merges the history (a retry); a key that names another task, or a
   *  task's first message, is CONFLICT (with `details.taskId` of the task it names). */
  appendMessage(id: string, message: unknown, key: { idempotencyKey: string; owner: string }): Promise<void>;
  /** Returns once every change committed before the call (non-durable ones included, on any
   *  connection) is on disk: a durable commit of its own, which flushes the WAL up to it. */
  flush(): Promise<void>;
}
