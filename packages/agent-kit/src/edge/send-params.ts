import { type Message, Role, type SendMessageRequest } from '@a2a-js/sdk';
import { ForgeError, parseOrThrow } from '@forge/contracts';
import { z } from 'zod';
import { TaskIdParam } from './wire-requests.js';

/** Longest messageId accepted: the idempotency key `a2a:<principal>:<messageId>` must fit 400. */
const MAX_MESSAGE_ID = 190;

const SendShape = z.object({
  message: z.object(
    {
      messageId: z.string().min(1, 'is required').max(MAX_MESSAGE_ID),
      contextId: z.string().max(200),
      taskId: z.string().max(200),
      role: z
        .number()
        .refine((r) => r === Role.ROLE_USER || r === Role.ROLE_UNSPECIFIED, 'must be ROLE_USER'),
      parts: z.array(z.unknown()).min(1, 'needs at least one part').max(100),
    },
    { error: 'is required' },
  ),
  configuration: z
    .object({
      historyLength: z.number().int().min(0, 'must be 0 or more').optional(),
      returnImmediately: z.boolean(),
    })
    .optional(),
});

/** A validated SendMessage request. */
export interface SendParams {
  readonly message: Message;
  readonly returnImmediately: boolean;
  readonly historyLength: number | undefined;
  /** Media types the caller accepts in answers; empty: any. */
  readonly acceptedOutputModes: readonly string[];
}

/**
 * Checks what the SDK's decoding lets through (the v1.0 bindings check the wire JSON before,
 * the v0.3 compat layer does not): a message with an id, a user role and at least one part, each
 * holding content. BAD_INPUT naming the field (`message.messageId: is required`); a push
 * notification config is refused as the card says (PUSH_NOT_SUPPORTED).
 */
export function parseSendParams(params: SendMessageRequest): SendParams {
  parseOrThrow(SendShape, params, 'SendMessage params');
  const message = params.message!;
  message.parts.forEach((part, index) => {
    if (!part?.content) {
      throw new ForgeError(
        'BAD_INPUT',
        `message.parts[${index}]: a part holds one of text, raw, url or data`,
        {
          details: { field: `message.parts[${index}]` },
        },
      );
    }
  });
  if (params.configuration?.taskPushNotificationConfig !== undefined) {
    throw new ForgeError('PUSH_NOT_SUPPORTED', 'push notifications are not supported by this agent');
  }
  return {
    message,
    returnImmediately: params.configuration?.returnImmediately ?? false,
    historyLength: params.configuration?.historyLength,
    acceptedOutputModes: params.configuration?.acceptedOutputModes ?? [],
  };
}

/**
 * A task id from a request. Forge's task ids are UUIDs: anything else is refused here as BAD_INPUT
 * naming `field`, before it can reach a NATS subject or a query.
 */
export function parseTaskId(id: unknown, field = 'id'): string {
  return parseOrThrow(TaskIdParam, id, 'task id', field).toLowerCase();
}

/** historyLength from GetTask/ListTasks: absent, or 0 or more. */
export function parseHistoryLength(value: unknown): number | undefined {
  return parseOrThrow(
    z.number().int().min(0, 'must be 0 or more').optional(),
    value,
    'history length',
    'historyLength',
  );
}

const ListShape = z.object({
  pageSize: z.number().int().min(1, 'must be 1-100').max(100, 'must be 1-100').optional(),
  statusTimestampAfter: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 time' }).optional(),
  contextId: z.string().max(200),
  pageToken: z.string().max(1000),
});

/** The ListTasks fields the SDK's decoding lets through unchecked; BAD_INPUT naming the field. */
export function parseListParams(params: unknown): z.output<typeof ListShape> {
  return parseOrThrow(ListShape, params, 'ListTasks params');
}
