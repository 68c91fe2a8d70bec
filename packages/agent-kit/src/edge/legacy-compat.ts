import type { A2ARequestHandler } from '@a2a-js/sdk/server';
import { jsonRpcHandler, restHandler } from '@a2a-js/sdk/server/express';
import { callerError, errorDetail, newErrorId } from '@forge/contracts';
import type { Logger } from '@forge/telemetry';
import type { RequestHandler, Response } from 'express';
import { toSdkError } from './a2a-errors.js';
import { userFromRequest } from './auth.js';
import { answered } from './binding-support.js';

type Method = keyof A2ARequestHandler;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The handler as the SDK's v0.3 transports call it: every ForgeError is logged under an error id
 * and becomes the SDK's error for the table's A2A answer, carrying only the caller's message, so
 * the SDK writes the v0.3 code for it and nothing more.
 */
function sdkErrors(handler: A2ARequestHandler, logger: Logger): A2ARequestHandler {
  const mapped = (method: Method, error: unknown) =>
    toSdkError(answered(logger, error, { binding: 'v0.3', method }));
  const unary =
    <M extends Method>(method: M) =>
    async (...args: unknown[]) => {
      try {
        return await (handler[method] as (...a: unknown[]) => Promise<unknown>).apply(handler, args);
      } catch (error) {
        throw mapped(method, error);
      }
    };
  const stream = <M extends 'sendMessageStream' | 'resubscribe'>(method: M) =>
    async function* (...args: unknown[]) {
      try {
        yield* (handler[method] as (...a: unknown[]) => AsyncGenerator<unknown>).apply(handler, args);
      } catch (error) {
        throw mapped(method, error);
      }
    };
  return {
    getAgentCard: () => handler.getAgentCard(),
    getAuthenticatedExtendedAgentCard: unary('getAuthenticatedExtendedAgentCard'),
    sendMessage: unary('sendMessage'),
    sendMessageStream: stream('sendMessageStream'),
    getTask: unary('getTask'),
    listTasks: unary('listTasks'),
    cancelTask: unary('cancelTask'),
    createTaskPushNotificationConfig: unary('createTaskPushNotificationConfig'),
    getTaskPushNotificationConfig: unary('getTaskPushNotificationConfig'),
    listTaskPushNotificationConfigs: unary('listTaskPushNotificationConfigs'),
    deleteTaskPushNotificationConfig: unary('deleteTaskPushNotificationConfig'),
    resubscribe: stream('resubscribe'),
  } as A2ARequestHandler;
}

/**
 * Keeps what the SDK's compat code itself throws (its v0.3 → v1.0 translation of a malformed
 * request, for one) from reaching the caller: an internal-error answer whose message is not
 * Forge's own is replaced with the table's message and an error id, and the original is logged.
 */
function sanitizeInternalErrors(res: Response, logger: Logger): void {
  const json = res.json.bind(res);
  res.json = (body: unknown) => {
    const error = isObject(body) && isObject(body.error) ? body.error : undefined;
    const internal = error && (error.code === -32603 || res.statusCode >= 500);
    if (internal && typeof error.message === 'string' && !error.message.includes('(error id ')) {
      const errorId = newErrorId();
      logger.error({ binding: 'v0.3', errorId, err: errorDetail(error.message) }, 'A2A call failed');
      error.message = callerError(new Error(error.message), errorId).message;
    }
    return json(body);
  };
}

/**
 * v0.3 clients (and `curl` without `A2A-Version`, which A2A v1.0 §3.6.2 reads as 0.3): the SDK's
 * compat transports over the same handler. v0.3 JSON-RPC `message/send` whose configuration
 * does not say `blocking` waits for the task, as the v0.3 reference servers did (the SDK's
 * translation would return a `submitted` task instead).
 */
export function legacyTransports(
  handler: A2ARequestHandler,
  logger: Logger,
): { jsonRpc: RequestHandler; rest: RequestHandler } {
  const compat = sdkErrors(handler, logger);
  const legacy = { enabled: true };
  const jsonRpc = jsonRpcHandler({
    requestHandler: compat,
    userBuilder: userFromRequest,
    legacyCompat: legacy,
  });
  const rest = restHandler({ requestHandler: compat, userBuilder: userFromRequest, legacyCompat: legacy });
  return {
    jsonRpc: (req, res, next) => {
      sanitizeInternalErrors(res, logger);
      const body: unknown = req.body;
      if (isObject(body) && body.method === 'message/send' && isObject(body.params)) {
        const configuration = body.params.configuration;
        if (isObject(configuration) && configuration.blocking === undefined) configuration.blocking = true;
      }
      jsonRpc(req, res, next);
    },
    rest: (req, res, next) => {
      sanitizeInternalErrors(res, logger);
      rest(req, res, next);
    },
  };
}
