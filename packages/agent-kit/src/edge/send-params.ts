import { type Message, Role, type SendMessageRequest } from '@a2a-js/sdk';
import { PushNotificationNotSupportedError } from '@a2a-js/sdk/errors';
import { parseOrThrow } from '@forge/contracts';
import { z } from 'zod';

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
      parts: z.array(z.unknown()).min(1, 'needs at least one part'),
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
}

/**
 * Checks what the SDK's lenient decoding lets through: a message with an id, a user role and at
 * least one part. BAD_INPUT naming the field (`message.messageId: is required`); push
 * notification configs are refused as the card says (-32003).
 */
export function parseSendParams(params: SendMessageRequest): SendParams {
  parseOrThrow(SendShape, params, 'SendMessage params');
  if (params.configuration?.taskPushNotificationConfig !== undefined) {
    throw new PushNotificationNotSupportedError('push notifications are not supported by this agent');
  }
  return {
    message: params.message!,
    returnImmediately: params.configuration?.returnImmediately ?? false,
    historyLength: params.configuration?.historyLength,
  };
}

/** A task id from a request: present and of sane length, else BAD_INPUT naming `field`. */
export function parseTaskId(id: unknown, field = 'id'): string {
  return parseOrThrow(z.string().min(1, 'is required').max(200), id, 'task id', field);
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
