import type {
  AgentCard,
  CancelTaskRequest,
  DeleteTaskPushNotificationConfigRequest,
  GetExtendedAgentCardRequest,
  GetTaskPushNotificationConfigRequest,
  GetTaskRequest,
  ListTaskPushNotificationConfigsRequest,
  ListTaskPushNotificationConfigsResponse,
  ListTasksRequest,
  ListTasksResponse,
  Message,
  SendMessageRequest,
  StreamResponse,
  SubscribeToTaskRequest,
  Task,
  TaskPushNotificationConfig,
} from '@a2a-js/sdk';
import {
  A2AError,
  ExtendedAgentCardNotConfiguredError,
  PushNotificationNotSupportedError,
  UnsupportedOperationError,
} from '@a2a-js/sdk/errors';
import type { A2ARequestHandler, ServerCallContext } from '@a2a-js/sdk/server';
import { ForgeError, isTerminal } from '@forge/contracts';
import { linkedSignal } from '@forge/service-runtime';
import type { TaskRecord, TaskRepository } from '@forge/store';
import { type Logger, withSpan } from '@forge/telemetry';
import type { Span } from '@opentelemetry/api';
import type { CancelRequester, StatusPublisher, TaskDispatcher } from '../ports/ports.js';
import type { AgentDefinition } from '../skills/define-agent.js';
import { taskNotFound, toA2AError } from './a2a-errors.js';
import { type Caller, callerOf } from './caller.js';
import { cancelTask } from './edge-cancel.js';
import { historyHas, type Submission, submitMessage } from './edge-submit.js';
import { parseHistoryLength, parseListParams, parseSendParams, parseTaskId } from './send-params.js';
import { endsRelay, type StatusSource, TaskFeed } from './task-feed.js';
import { changeToStream, fromA2AState, type TaskChange, toA2ATask } from './task-mapping.js';

export interface EdgeDeps {
  agent: AgentDefinition;
  brain: string;
  /** The card, as built when the service knew its URL. */
  card(): AgentCard;
  tasks: TaskRepository;
  status: StatusSource;
  publisher: StatusPublisher;
  dispatcher: TaskDispatcher;
  canceller: CancelRequester;
  logger: Logger;
  /** Longest a blocking SendMessage waits before answering with the task as it stands. */
  blockingWaitMs: number;
  /** Quiet time after which a relay re-reads Postgres. */
  quietMs: number;
  /** Longest CancelTask waits for the holding worker. */
  cancelWaitMs: number;
  /** Aborts when the service shuts down: relays end, blocking calls answer at once. */
  closing: AbortSignal;
}

const DEFAULT_PAGE_SIZE = 50;

/**
 * Forge's A2A request handler, mounted with the SDK's JSON-RPC and HTTP+JSON transports. It
 * replaces the SDK's DefaultRequestHandler because the work runs in other processes: the edge
 * creates the task record and publishes an envelope; the worker that takes it is the one writer
 * of its state; the edge relays the worker's status events (subscribe first, then publish or read,
 * re-reading Postgres when the events go quiet), so any replica can answer or stream any task.
 * Every call is scoped to the caller's principal: another caller's task is "not found".
 */
export class ForgeRequestHandler implements A2ARequestHandler {
  readonly #deps: EdgeDeps;

  constructor(deps: EdgeDeps) {
    this.#deps = deps;
  }

  async getAgentCard(): Promise<AgentCard> {
    return this.#deps.card();
  }

  async getAuthenticatedExtendedAgentCard(
    _params: GetExtendedAgentCardRequest,
    _context: ServerCallContext,
  ): Promise<AgentCard> {
    throw new ExtendedAgentCardNotConfiguredError('this agent has no extended card');
  }

  sendMessage(params: SendMessageRequest, context: ServerCallContext): Promise<Message | Task> {
    return this.#call('SendMessage', context, async (caller, span) => {
      const request = parseSendParams(params);
      const submission = await submitMessage(this.#submitDeps(), request, caller);
      span.setAttributes({ 'forge.task.id': submission.record.id, 'forge.skill': submission.record.skill });
      const view = { historyLength: request.historyLength };
      if (request.returnImmediately) return toA2ATask(await submission.send(), view);
      const feed = await this.#openFeed(submission.record.id, caller);
      const waiting = linkedSignal([caller.signal, this.#deps.closing], {
        ms: this.#deps.blockingWaitMs,
        reason: () => new ForgeError('DEADLINE_EXCEEDED', 'the blocking wait ended'),
      });
      try {
        const start = await submission.send();
        let last: TaskChange | undefined;
        for await (const change of feed.follow(start, waiting.signal, { resuming: submission.resuming })) {
          last = change;
        }
        // The change that ended the wait, when it carries the whole committed record (this
        // process's worker ran the task, or a re-read found it) and that record already shows
        // this call's message (a new task has it from its INSERT; a resume's is written before
        // its publish), is the answer as it stands; otherwise (an event from another replica,
        // the wait ran out) read it.
        const ended = last?.record;
        const final =
          ended &&
          endsRelay(ended.state) &&
          ended.owner === caller.principal &&
          historyHas(ended, request.message.messageId)
            ? ended
            : ((await this.#load(start.id, caller)) ?? start);
        return toA2ATask(final, view);
      } finally {
        waiting.dispose();
        feed.close();
      }
    });
  }

  async *sendMessageStream(
    params: SendMessageRequest,
    context: ServerCallContext,
  ): AsyncGenerator<StreamResponse, void, undefined> {
    let feed: TaskFeed | undefined;
    try {
      const caller = callerOf(context);
      const request = parseSendParams(params);
      const submission: Submission = await submitMessage(this.#submitDeps(), request, caller);
      feed = await this.#openFeed(submission.record.id, caller);
      const start = await submission.send();
      yield { payload: { $case: 'task', value: toA2ATask(start, { historyLength: request.historyLength }) } };
      yield* this.#relay(feed, start, caller, submission.resuming);
    } catch (error) {
      throw this.#mapError('SendStreamingMessage', error);
    } finally {
      feed?.close();
    }
  }

  async *resubscribe(
    params: SubscribeToTaskRequest,
    context: ServerCallContext,
  ): AsyncGenerator<StreamResponse, void, undefined> {
    let feed: TaskFeed | undefined;
    try {
      const caller = callerOf(context);
      const id = parseTaskId(params.id);
      // Subscribe first, then read: no change can fall between the two.
      feed = await this.#openFeed(id, caller);
      const record = await this.#load(id, caller);
      if (!record) throw taskNotFound(id);
      if (isTerminal(record.state)) {
        throw new UnsupportedOperationError(
          `task ${id} is ${record.state}; there is nothing left to subscribe to`,
        );
      }
      yield { payload: { $case: 'task', value: toA2ATask(record) } };
      yield* this.#relay(feed, record, caller);
    } catch (error) {
      throw this.#mapError('SubscribeToTask', error);
    } finally {
      feed?.close();
    }
  }

  getTask(params: GetTaskRequest, context: ServerCallContext): Promise<Task> {
    return this.#call('GetTask', context, async (caller, span) => {
      const id = parseTaskId(params.id);
      span.setAttribute('forge.task.id', id);
      const historyLength = parseHistoryLength(params.historyLength);
      const record = await this.#load(id, caller);
      if (!record) throw taskNotFound(id);
      return toA2ATask(record, { historyLength });
    });
  }

  listTasks(params: ListTasksRequest, context: ServerCallContext): Promise<ListTasksResponse> {
    return this.#call('ListTasks', context, async (caller) => {
      const shape = parseListParams(params);
      const historyLength = parseHistoryLength(params.historyLength);
      const pageSize = shape.pageSize ?? DEFAULT_PAGE_SIZE;
      const state = fromA2AState(params.status);
      const page = await this.#deps.tasks.list({
        owner: caller.principal,
        pageSize,
        ...(shape.contextId ? { contextId: shape.contextId } : {}),
        ...(state ? { state } : {}),
        ...(shape.pageToken ? { pageToken: shape.pageToken } : {}),
        ...(shape.statusTimestampAfter ? { updatedAfter: shape.statusTimestampAfter } : {}),
      });
      return {
        tasks: page.records.map((r) =>
          toA2ATask(r, { historyLength, includeArtifacts: params.includeArtifacts ?? false }),
        ),
        nextPageToken: page.nextPageToken ?? '',
        pageSize,
        totalSize: page.totalSize,
      };
    });
  }

  cancelTask(params: CancelTaskRequest, context: ServerCallContext): Promise<Task> {
    return this.#call('CancelTask', context, async (caller, span) => {
      const id = parseTaskId(params.id);
      span.setAttribute('forge.task.id', id);
      const d = this.#deps;
      const record = await cancelTask(
        {
          tasks: d.tasks,
          status: d.status,
          publisher: d.publisher,
          canceller: d.canceller,
          logger: d.logger,
          quietMs: d.quietMs,
          cancelWaitMs: d.cancelWaitMs,
        },
        id,
        caller,
      );
      return toA2ATask(record);
    });
  }

  async createTaskPushNotificationConfig(
    _params: TaskPushNotificationConfig,
    _context: ServerCallContext,
  ): Promise<TaskPushNotificationConfig> {
    throw pushUnsupported();
  }

  async getTaskPushNotificationConfig(
    _params: GetTaskPushNotificationConfigRequest,
    _context: ServerCallContext,
  ): Promise<TaskPushNotificationConfig> {
    throw pushUnsupported();
  }

  async listTaskPushNotificationConfigs(
    _params: ListTaskPushNotificationConfigsRequest,
    _context: ServerCallContext,
  ): Promise<ListTaskPushNotificationConfigsResponse> {
    throw pushUnsupported();
  }

  async deleteTaskPushNotificationConfig(
    _params: DeleteTaskPushNotificationConfigRequest,
    _context: ServerCallContext,
  ): Promise<void> {
    throw pushUnsupported();
  }

  #submitDeps() {
    const { agent, brain, tasks, dispatcher, logger } = this.#deps;
    return { agent, brain, tasks, dispatcher, logger };
  }

  #load(id: string, caller: Caller): Promise<TaskRecord | null> {
    return this.#deps.tasks.getOwned(id, caller.principal);
  }

  #openFeed(id: string, caller: Caller): Promise<TaskFeed> {
    return TaskFeed.open(this.#deps.status, id, () => this.#load(id, caller), this.#deps.quietMs);
  }

  async *#relay(
    feed: TaskFeed,
    start: TaskRecord,
    caller: Caller,
    resuming = false,
  ): AsyncGenerator<StreamResponse, void, undefined> {
    const listening = linkedSignal([caller.signal, this.#deps.closing]);
    const task = { contextId: start.contextId, skill: start.skill };
    try {
      for await (const change of feed.follow(start, listening.signal, { resuming }))
        yield* changeToStream(change, task);
    } finally {
      listening.dispose();
    }
  }

  /** Runs one unary call in a span, scoped to its caller, with errors mapped for the SDK. */
  async #call<T>(
    method: string,
    context: ServerCallContext,
    fn: (caller: Caller, span: Span) => Promise<T>,
  ): Promise<T> {
    try {
      const caller = callerOf(context);
      return await withSpan(`a2a ${method}`, (span) => fn(caller, span), {
        attributes: {
          'forge.brain': this.#deps.brain,
          'forge.agent': this.#deps.agent.name,
          'a2a.method': method,
        },
      });
    } catch (error) {
      throw this.#mapError(method, error);
    }
  }

  /** Maps for the SDK; what becomes an internal error is logged here (its message only). */
  #mapError(method: string, error: unknown): Error {
    const mapped = toA2AError(error);
    if (!(mapped instanceof A2AError)) {
      this.#deps.logger.error(
        { method, err: error instanceof Error ? error.message : String(error) },
        'A2A call failed',
      );
    }
    return mapped;
  }
}

function pushUnsupported(): Error {
  return new PushNotificationNotSupportedError('push notifications are not supported by this agent');
}
