import {
  CancelTaskRequest,
  GetTaskRequest,
  ListTasksRequest,
  Message,
  TaskState as SdkTaskState,
  SendMessageRequest,
  StreamResponse,
  SubscribeToTaskRequest,
  Task,
} from '@a2a-js/sdk';
import type { A2ARequestHandler, ServerCallContext } from '@a2a-js/sdk/server';
import { ForgeError } from '@forge/contracts';
import { toSdkState } from '@forge/store';
import { parseWire, WireGetTask, WireListTasks, WireSendMessage, WireTaskId } from './wire-requests.js';

/** A2A v1.0 operations by their JSON-RPC method names (§5.3). */
export const A2A_METHODS = [
  'SendMessage',
  'SendStreamingMessage',
  'GetTask',
  'ListTasks',
  'CancelTask',
  'SubscribeToTask',
  'CreateTaskPushNotificationConfig',
  'GetTaskPushNotificationConfig',
  'ListTaskPushNotificationConfigs',
  'DeleteTaskPushNotificationConfig',
  'GetExtendedAgentCard',
] as const;
export type A2AMethod = (typeof A2A_METHODS)[number];

export function isA2AMethod(method: string): method is A2AMethod {
  return (A2A_METHODS as readonly string[]).includes(method);
}

/**
 * One operation, binding-free: `unary` resolves with the response as v1.0 JSON; `stream` yields
 * `StreamResponse` JSON objects, and its first `next()` throws what fails before the stream
 * begins (so a binding can still answer with a plain error).
 */
export type Operation =
  | { readonly kind: 'unary'; run(params: unknown, ctx: ServerCallContext): Promise<unknown> }
  | { readonly kind: 'stream'; run(params: unknown, ctx: ServerCallContext): AsyncIterator<unknown> };

async function* streamJson(events: AsyncIterable<StreamResponse>): AsyncGenerator<unknown, void, undefined> {
  for await (const event of events) yield StreamResponse.toJSON(event);
}

function unsupported(code: 'PUSH_NOT_SUPPORTED' | 'UNSUPPORTED_OPERATION', message: string): Operation {
  return {
    kind: 'unary',
    run: async () => {
      throw new ForgeError(code, message);
    },
  };
}

/**
 * The operations both bindings serve: each validates its request object as it arrived (zod, on
 * the v1.0 JSON: BAD_INPUT naming the field) before the SDK's decoder sees it, calls the handler,
 * and writes the answer as v1.0 JSON (ListTasks with `nextPageToken` always present and
 * `artifacts` left out unless asked, §3.1.4).
 */
export function a2aOperations(handler: A2ARequestHandler): Record<A2AMethod, Operation> {
  const noPush = unsupported('PUSH_NOT_SUPPORTED', 'push notifications are not supported by this agent');
  return {
    SendMessage: {
      kind: 'unary',
      run: async (params, ctx) => {
        const request = SendMessageRequest.fromJSON(parseWire(WireSendMessage, params, 'SendMessage params'));
        const result = await handler.sendMessage(request, ctx);
        return 'messageId' in result ? { message: Message.toJSON(result) } : { task: Task.toJSON(result) };
      },
    },
    SendStreamingMessage: {
      kind: 'stream',
      run: (params, ctx) => {
        const request = SendMessageRequest.fromJSON(
          parseWire(WireSendMessage, params, 'SendStreamingMessage params'),
        );
        return streamJson(handler.sendMessageStream(request, ctx));
      },
    },
    GetTask: {
      kind: 'unary',
      run: async (params, ctx) =>
        Task.toJSON(
          await handler.getTask(
            GetTaskRequest.fromJSON(parseWire(WireGetTask, params, 'GetTask params')),
            ctx,
          ),
        ),
    },
    ListTasks: {
      kind: 'unary',
      run: async (params, ctx) => {
        const wire = parseWire(WireListTasks, params, 'ListTasks params');
        const { status, ...rest } = wire;
        const request = ListTasksRequest.fromJSON(rest);
        request.status = status ? toSdkState(status) : SdkTaskState.TASK_STATE_UNSPECIFIED;
        const page = await handler.listTasks(request, ctx);
        return {
          tasks: page.tasks.map((task) => {
            const json = Task.toJSON(task) as Record<string, unknown>;
            return wire.includeArtifacts ? { ...json, artifacts: json.artifacts ?? [] } : json;
          }),
          nextPageToken: page.nextPageToken,
          pageSize: page.pageSize,
          totalSize: page.totalSize,
        };
      },
    },
    CancelTask: {
      kind: 'unary',
      run: async (params, ctx) =>
        Task.toJSON(
          await handler.cancelTask(
            CancelTaskRequest.fromJSON(parseWire(WireTaskId, params, 'CancelTask params')),
            ctx,
          ),
        ),
    },
    SubscribeToTask: {
      kind: 'stream',
      run: (params, ctx) => {
        const request = SubscribeToTaskRequest.fromJSON(
          parseWire(WireTaskId, params, 'SubscribeToTask params'),
        );
        return streamJson(handler.resubscribe(request, ctx));
      },
    },
    CreateTaskPushNotificationConfig: noPush,
    GetTaskPushNotificationConfig: noPush,
    ListTaskPushNotificationConfigs: noPush,
    DeleteTaskPushNotificationConfig: noPush,
    GetExtendedAgentCard: unsupported('UNSUPPORTED_OPERATION', 'this agent has no extended agent card'),
  };
}
