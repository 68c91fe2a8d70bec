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
import { FORGE_METRICS, forgeMeter, REQUEST_DURATION_BUCKETS } from '@forge/telemetry';
import type { Attributes, Counter, Histogram } from '@opentelemetry/api';

/** The status of a failed call: the A2A error's reason (`TASK_NOT_FOUND`, ...), a ForgeError's code, else INTERNAL. */
function statusOf(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const { reason, code } = error as { reason?: unknown; code?: unknown };
    if (typeof reason === 'string' && reason.length > 0) return reason;
    if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) return code;
  }
  return 'INTERNAL';
}

/**
 * The edge's request handler with `forge.a2a.requests` (by `a2a.method` and `a2a.status`) and
 * `forge.a2a.request.duration` recorded around every A2A method, whichever transport (JSON-RPC or
 * HTTP+JSON, v1.0 or v0.3) carried it. A stream is measured until it ends (or the caller leaves);
 * its status is its failure's, or `ok`. The handler's own behaviour is unchanged.
 */
export class MeteredRequestHandler implements A2ARequestHandler {
  readonly #inner: A2ARequestHandler;
  readonly #requests: Counter;
  readonly #duration: Histogram;
  readonly #agent: string;

  constructor(inner: A2ARequestHandler, agent: string) {
    this.#inner = inner;
    this.#agent = agent;
    const meter = forgeMeter('agent-kit');
    const { a2aRequests, a2aDuration } = FORGE_METRICS;
    this.#requests = meter.createCounter(a2aRequests.name, {
      unit: a2aRequests.unit,
      description: a2aRequests.description,
    });
    this.#duration = meter.createHistogram(a2aDuration.name, {
      unit: a2aDuration.unit,
      description: a2aDuration.description,
      advice: { explicitBucketBoundaries: REQUEST_DURATION_BUCKETS },
    });
  }

  #record(method: string, status: string, startedAt: number): void {
    const attributes: Attributes = { 'a2a.method': method, 'a2a.status': status, 'forge.agent': this.#agent };
    this.#requests.add(1, attributes);
    this.#duration.record((performance.now() - startedAt) / 1000, attributes);
  }

  async #unary<T>(method: string, call: () => Promise<T>): Promise<T> {
    const startedAt = performance.now();
    try {
      const result = await call();
      this.#record(method, 'ok', startedAt);
      return result;
    } catch (error) {
      this.#record(method, statusOf(error), startedAt);
      throw error;
    }
  }

  async *#stream(
    method: string,
    open: () => AsyncGenerator<StreamResponse, void, undefined>,
  ): AsyncGenerator<StreamResponse, void, undefined> {
    const startedAt = performance.now();
    let status = 'ok';
    try {
      yield* open();
    } catch (error) {
      status = statusOf(error);
      throw error;
    } finally {
      this.#record(method, status, startedAt);
    }
  }

  getAgentCard(): Promise<AgentCard> {
    return this.#inner.getAgentCard();
  }

  getAuthenticatedExtendedAgentCard(
    params: GetExtendedAgentCardRequest,
    context: ServerCallContext,
  ): Promise<AgentCard> {
    return this.#unary('GetExtendedAgentCard', () =>
      this.#inner.getAuthenticatedExtendedAgentCard(params, context),
    );
  }

  sendMessage(params: SendMessageRequest, context: ServerCallContext): Promise<Message | Task> {
    return this.#unary('SendMessage', () => this.#inner.sendMessage(params, context));
  }

  sendMessageStream(
    params: SendMessageRequest,
    context: ServerCallContext,
  ): AsyncGenerator<StreamResponse, void, undefined> {
    return this.#stream('SendStreamingMessage', () => this.#inner.sendMessageStream(params, context));
  }

  getTask(params: GetTaskRequest, context: ServerCallContext): Promise<Task> {
    return this.#unary('GetTask', () => this.#inner.getTask(params, context));
  }

  listTasks(params: ListTasksRequest, context: ServerCallContext): Promise<ListTasksResponse> {
    return this.#unary('ListTasks', () => this.#inner.listTasks(params, context));
  }

  cancelTask(params: CancelTaskRequest, context: ServerCallContext): Promise<Task> {
    return this.#unary('CancelTask', () => this.#inner.cancelTask(params, context));
  }

  resubscribe(
    params: SubscribeToTaskRequest,
    context: ServerCallContext,
  ): AsyncGenerator<StreamResponse, void, undefined> {
    return this.#stream('SubscribeToTask', () => this.#inner.resubscribe(params, context));
  }

  createTaskPushNotificationConfig(
    params: TaskPushNotificationConfig,
    context: ServerCallContext,
  ): Promise<TaskPushNotificationConfig> {
    return this.#unary('CreateTaskPushNotificationConfig', () =>
      this.#inner.createTaskPushNotificationConfig(params, context),
    );
  }

  getTaskPushNotificationConfig(
    params: GetTaskPushNotificationConfigRequest,
    context: ServerCallContext,
  ): Promise<TaskPushNotificationConfig> {
    return this.#unary('GetTaskPushNotificationConfig', () =>
      this.#inner.getTaskPushNotificationConfig(params, context),
    );
  }

  listTaskPushNotificationConfigs(
    params: ListTaskPushNotificationConfigsRequest,
    context: ServerCallContext,
  ): Promise<ListTaskPushNotificationConfigsResponse> {
    return this.#unary('ListTaskPushNotificationConfigs', () =>
      this.#inner.listTaskPushNotificationConfigs(params, context),
    );
  }

  deleteTaskPushNotificationConfig(
    params: DeleteTaskPushNotificationConfigRequest,
    context: ServerCallContext,
  ): Promise<void> {
    return this.#unary('DeleteTaskPushNotificationConfig', () =>
      this.#inner.deleteTaskPushNotificationConfig(params, context),
    );
  }
}
