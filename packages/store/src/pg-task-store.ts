import type { ListTasksRequest, ListTasksResponse, Task } from '@a2a-js/sdk';
import type { ServerCallContext, TaskStore } from '@a2a-js/sdk/server';
import { canTransition, ForgeError } from '@forge/contracts';
import { fromSdkState, recordToTask, taskToExtras } from './a2a-task-mapping.js';
import type { TaskRepository } from './task-repository.js';

/** A2A's page size when the caller names none. */
const DEFAULT_PAGE_SIZE = 50;

export interface PgTaskStoreOptions {
  /**
   * The principal that owns the caller's tasks (the `origin.by` of tasks it creates), or
   * undefined when the caller may see none. Default: the authenticated user's `userName`.
   * An unauthenticated caller sees nothing whatever this returns.
   */
  ownerOf?(ctx: ServerCallContext): string | undefined;
}

/**
 * The A2A SDK's TaskStore over a TaskRepository, for an edge whose work runs in other processes.
 *
 * - `load` and `list` answer from the stored record, scoped to the caller: another owner's task
 *   looks exactly like a missing one.
 * - `save` never writes state: the worker holding the task is its one writer. It refuses a task
 *   whose state would move backwards or along an illegal edge from the stored one (the SDK
 *   replaying a stale event), and otherwise merges only history, artifacts and metadata.
 * - A task is created by the repository (from its envelope), never by `save`.
 */
export class PgTaskStore implements TaskStore {
  readonly #tasks: TaskRepository;
  readonly #ownerOf: (ctx: ServerCallContext) => string | undefined;

  constructor(tasks: TaskRepository, opts: PgTaskStoreOptions = {}) {
    this.#tasks = tasks;
    this.#ownerOf = opts.ownerOf ?? ((ctx) => ctx.user?.userName);
  }

  async load(taskId: string, ctx: ServerCallContext): Promise<Task | undefined> {
    const owner = this.#owner(ctx);
    if (owner === undefined) return undefined;
    const record = await this.#tasks.getOwned(taskId, owner);
    return record ? recordToTask(record) : undefined;
  }

  async list(params: ListTasksRequest, ctx: ServerCallContext): Promise<ListTasksResponse> {
    const pageSize = params.pageSize ?? DEFAULT_PAGE_SIZE;
    const owner = this.#owner(ctx);
    if (owner === undefined) return { tasks: [], nextPageToken: '', pageSize, totalSize: 0 };
    const state = params.status === undefined ? undefined : fromSdkState(params.status);
    const page = await this.#tasks.list({
      owner,
      pageSize,
      ...(params.contextId ? { contextId: params.contextId } : {}),
      ...(state === undefined ? {} : { state }),
      ...(params.pageToken ? { pageToken: params.pageToken } : {}),
      ...(params.statusTimestampAfter ? { updatedAfter: isoInstant(params.statusTimestampAfter) } : {}),
    });
    return {
      tasks: page.records.map((record) =>
        recordToTask(record, { includeArtifacts: params.includeArtifacts ?? false }),
      ),
      nextPageToken: page.nextPageToken ?? '',
      pageSize,
      totalSize: page.totalSize,
    };
  }

  async save(task: Task, ctx: ServerCallContext): Promise<void> {
    const owner = this.#owner(ctx);
    if (owner === undefined) {
      throw new ForgeError('UNAUTHENTICATED', 'saving a task needs an authenticated caller', {
        retryable: false,
      });
    }
    const record = await this.#tasks.getOwned(task.id, owner);
    if (!record) {
      throw new ForgeError('NOT_FOUND', `task ${task.id} not found`, {
        retryable: false,
        details: { taskId: task.id },
      });
    }
    if (task.contextId && task.contextId !== record.contextId) {
      throw new ForgeError('CONFLICT', `contextId: task ${task.id} belongs to another context`, {
        retryable: false,
      });
    }
    const claimed = task.status === undefined ? undefined : fromSdkState(task.status.state);
    if (claimed !== undefined && claimed !== record.state && !canTransition(record.state, claimed)) {
      throw new ForgeError(
        'ILLEGAL_TRANSITION',
        `task ${task.id} is ${record.state}; a save as ${claimed} would move it backwards or along an illegal edge`,
        { retryable: false, details: { taskId: task.id, from: record.state, to: claimed } },
      );
    }
    await this.#tasks.updateA2A(record.id, taskToExtras(task));
  }

  #owner(ctx: ServerCallContext): string | undefined {
    if (!ctx.user?.isAuthenticated) return undefined;
    const owner = this.#ownerOf(ctx);
    return owner === undefined || owner.length === 0 ? undefined : owner;
  }
}

/** A2A accepts any ISO 8601 form the SDK could parse ("2025-01-01" included); the repository takes
 *  a full UTC instant. Unparseable input is BAD_INPUT naming the field. */
function isoInstant(value: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new ForgeError('BAD_INPUT', 'statusTimestampAfter: not an ISO 8601 timestamp', {
      retryable: false,
    });
  }
  return new Date(ms).toISOString();
}
