import { ERROR_CODES, errorSpec, ForgeError } from '@forge/contracts';
import type { Msg, MsgHdrs } from '@nats-io/transport-node';
import { z } from 'zod';
import { recordToHeaders } from './nats-headers.js';

/**
 * Header that marks a reply from `Bus.serve` as an error. Its value is the error code; the body
 * is a `ReplyErrorBody`. A reply without it is the handler's value, so a success body is just the
 * reply payload and any NATS client can read it.
 */
export const REPLY_ERROR_HEADER = 'Forge-Error';

/**
 * The body of an error reply: what a caller may see of a `ForgeError` (never its cause or stack).
 * The message crosses as is: a reply stays inside the mesh, and whoever answers an outside caller
 * with it shows only what the error table allows. A reply that does not say `retryable` gets the
 * code's row of the error table.
 */
export const ReplyErrorBody = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  retryable: z.boolean().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type ReplyErrorBody = z.infer<typeof ReplyErrorBody>;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Encodes a ForgeError as an error reply (headers + body). */
export function encodeReplyError(error: ForgeError): { headers: MsgHdrs; data: Uint8Array } {
  const body: ReplyErrorBody = {
    code: error.code,
    message: error.message,
    retryable: error.retryable,
    ...(error.details ? { details: error.details } : {}),
  };
  return {
    headers: recordToHeaders({ [REPLY_ERROR_HEADER]: error.code }),
    data: encoder.encode(JSON.stringify(body)),
  };
}

/** The ForgeError an error reply carries, or null when the reply is not an error. */
export function decodeReplyError(reply: Msg, subject: string): ForgeError | null {
  const marker = reply.headers?.get(REPLY_ERROR_HEADER);
  if (!marker) return null;
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(reply.data));
  } catch {
    json = undefined;
  }
  const body = ReplyErrorBody.safeParse(json);
  if (!body.success) {
    return new ForgeError('INTERNAL', `${subject} answered with an unreadable error (${marker})`);
  }
  const { code, message, retryable, details } = body.data;
  return new ForgeError(code, message, {
    retryable: retryable ?? errorSpec(code).retryable,
    ...(details ? { details } : {}),
  });
}
