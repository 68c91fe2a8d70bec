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
import type { A2ARequestHandler, ServerCallContext } from '@a2a-js/sdk/server';
import { ForgeError, isTerminal } from '@forge/contracts';
import { linkedSignal } from '@forge/service-runtime';
import type { TaskRecord, TaskRepository } from '@forge/store';
import { type Logger, withSpan } from '@forge/telemetry';
import type { Span } from '@opentelemetry/api';
import type { CancelRequester, StatusPublisher, TaskDispatcher } from '../ports/ports.js';
import type { AgentDefinition } from '../skills/define-agent.js';
import { taskNotFound } from './a2a-errors.js';
import { type Caller, callerOf } from './caller.js';
import { cancelTask } from './edge-cancel.js';
import { historyHas, type Submission, submitMessage } from './edge-submit.js';
import { messageAnswer, replyOf } from './message-answer.js';
import { parseHistoryLength, parseListParams, parseSendParams, parseTaskId } from './send-params.js';
import {
  endsRelay,
  endsSendStream,
  endsSubscription,
  type RelayEnd,
  type StatusSource,
  TaskFeed,
} from './task-feed.js';
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

function pushUnsupported(): ForgeError {
  return new ForgeError('PUSH_NOT_SUPPORTED', 'push notifications are not supported by this agent');
}

/**
 * Forge's A2A request handler: what both bindings (and the SDK's v0.3 compat layer) call. It
 * replaces the SDK's DefaultRequestHandler because the work runs in other processes: the edge
 * creates the task record and publishes an envelope; the worker that takes it is the one writer
 * of its state; the edge relays the worker's status events (subscribe first, then publish or read,
 * re-reading Postgres when the events go quiet), so any replica can answer or stream any task.
 * Every call is scoped to the caller's principal: another caller's task is "not found".
 *
 * Errors leave as ForgeErrors; each binding answers them from the error table.
 */
export class ForgeRequestHandler implements A2ARequestHandler {
  readonly #deps: EdgeDeps;

  constructor(deps: EdgeDeps) {
    this.#deps = deps;
  }

  async getAgentCard(): Promise<AgentCard> {
    return this.#deps.card();
  }

  /** The card says `extendedAgentCard: false`, so A2A v1.0 §3.3.4 asks for UnsupportedOperation. */
  async getAuthenticatedExtendedAgentCard(
    _params: GetExtendedAgentCardRequest,
    _context: ServerCallContext,
  ): Promise<AgentCard> {
    throw new ForgeError('UNSUPPORTED_OPERATION', 'this agent has no extended agent card');
  }

  sendMessage(params: SendMessageRequest, context: ServerCallContext): Promise<Message | Task> {
    return this.#call('SendMessage', context, async (caller, span) => {
      const request = parseSendParams(params);
      // A blocking call shows its new task to the caller only in its answer, and the answer is a
      // state the worker (or the router) committed durably, or comes after `flush()` below: the
      // INSERT need not wait for its own WAL flush. `returnImmediately` answers with the task as
      // soon as it is published: durable first.
      const submission = await submitMessage(this.#submitDeps(), request, caller, {
        durable: request.returnImmediately === true,
      });
      span.setAttributes({ 'forge.task.id': submission.record.id, 'forge.skill': submission.record.skill });
      const view = { historyLength: request.historyLength };
      const answersWithMessage = submission.skill.answer === 'message';
      // A message answer has no task to poll: `returnImmediately` has no effect on it (§3.2.2).
      if (request.returnImmediately && !answersWithMessage) return toA2ATask(await submission.send(), view);
      const feed = await this.#openFeed(submission.record.id, caller, submission.publishes);
      const waiting = linkedSignal([caller.signal, this.#deps.closing], {
        ms: this.#deps.blockingWaitMs,
        reason: () => new ForgeError('DEADLINE_EXCEEDED', 'the blocking wait ended'),
      });
      try {
        const start = await submission.send();
        let last: TaskChange | undefined;
        const until = answersWithMessage ? endsSubscription : endsRelay;
        for await (const change of feed.follow(start, waiting.signal, {
          resuming: submission.resuming,
          until,
        })) {
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
          until(ended.state) &&
          ended.owner === caller.principal &&
          historyHas(ended, request.message.messageId) &&
          (!answersWithMessage || replyOf(ended) !== undefined || ended.state !== 'completed')
            ? ended
            : ((await this.#load(start.id, caller)) ?? start);
        // Ended or interrupted: a worker's (or the router's) durable commit, which flushed the
        // INSERT with it. Anything else (the wait ran out, the service is closing) is answered
        // only once the task is on disk.
        if (!endsRelay(final.state)) await this.#deps.tasks.flush();
        return (answersWithMessage ? replyOf(final) : undefined) ?? toA2ATask(final, view);
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
    const caller = callerOf(context);
    const request = parseSendParams(params);
    const submission: Submission = await submitMessage(this.#submitDeps(), request, caller);
    try {
      feed = await this.#openFeed(submission.record.id, caller, submission.publishes);
      const start = await submission.send();
      if (submission.skill.answer === 'message') {
        const listening = linkedSignal([caller.signal, this.#deps.closing]);
        try {
          yield await messageAnswer(feed, start, listening.signal, submission.resuming, () =>
            this.#load(start.id, caller),
          );
        } finally {
          listening.dispose();
        }
        return;
      }
      yield { payload: { $case: 'task', value: toA2ATask(start, { historyLength: request.historyLength }) } };
      yield* this.#relay(feed, start, caller, endsSendStream, submission.resuming);
    } finally {
      feed?.close();
    }
  }

  async *resubscribe(
    params: SubscribeToTaskRequest,
    context: ServerCallContext,
  ): AsyncGenerator<StreamResponse, void, undefined> {
    let feed: TaskFeed | undefined;
    const caller = callerOf(context);
    const id = parseTaskId(params.id);
    try {
      // Subscribe first, then read: no change can fall between the two.
      feed = await this.#openFeed(id, caller);
      const record = await this.#load(id, caller);
      if (!record) throw taskNotFound(id);
      if (isTerminal(record.state)) {
        throw new ForgeError(
          'UNSUPPORTED_OPERATION',
          `task ${id} is ${record.state}; there is nothing left to subscribe to`,
        );
      }
      // The task as it stands first (§3.1.6), then every change until it ends: an interrupted
      // task keeps the stream open, for the follow-up that resumes it may come from anyone.
      yield { payload: { $case: 'task', value: toA2ATask(record) } };
      yield* this.#relay(feed, record, caller, endsSubscription);
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

  /** `publishingNext`: the caller publishes the task right after (see `SubscribeOptions`). */
  #openFeed(id: string, caller: Caller, publishingNext = false): Promise<TaskFeed> {
    return TaskFeed.open(this.#deps.status, id, () => this.#load(id, caller), this.#deps.quietMs, {
      publishingNext,
    });
  }

  async *#relay(
    feed: TaskFeed,
    start: TaskRecord,
    caller: Caller,
    until: RelayEnd,
    resuming = false,
  ): AsyncGenerator<StreamResponse, void, undefined> {
    const listening = linkedSignal([caller.signal, this.#deps.closing]);
    const task = { contextId: start.contextId, skill: start.skill };
    try {
      for await (const change of feed.follow(start, listening.signal, { resuming, until }))
        yield* changeToStream(change, task);
    } finally {
      listening.dispose();
    }
  }

  /** Runs one unary call in a span, scoped to its caller. */
  async #call<T>(
    method: string,
    context: ServerCallContext,
    fn: (caller: Caller, span: Span) => Promise<T>,
  ): Promise<T> {
    const caller = callerOf(context);
    return withSpan(`a2a ${method}`, (span) => fn(caller, span), {
      attributes: {
        'forge.brain': this.#deps.brain,
        'forge.agent': this.#deps.agent.name,
        'a2a.method': method,
      },
    });
  }
}
