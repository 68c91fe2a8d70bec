import {
  A2AError,
  RequestMalformedError,
  TaskNotCancelableError,
  TaskNotFoundError,
  UnsupportedOperationError,
} from '@a2a-js/sdk/errors';
import { assertNever, ForgeError } from '@forge/contracts';

/**
 * The A2A transport's error mapping, in one place. A ForgeError becomes the SDK's semantic error,
 * which the SDK's transports turn into the wire code:
 *
 * | ForgeError code                         | A2A error              | JSON-RPC | HTTP+JSON |
 * | --------------------------------------- | ---------------------- | -------- | --------- |
 * | BAD_INPUT, UNKNOWN_SKILL, BAD_CONFIG    | RequestMalformed       | -32602   | 400       |
 * | NOT_FOUND, FORBIDDEN                    | TaskNotFound           | -32001   | 404       |
 * | ILLEGAL_TRANSITION                      | TaskNotCancelable      | -32002   | 400       |
 * | CONFLICT                                | UnsupportedOperation   | -32004   | 400       |
 * | anything else                           | internal error         | -32603   | 500       |
 *
 * FORBIDDEN answers as not-found so a caller cannot probe for other callers' task ids.
 * UNAUTHENTICATED never reaches here: the auth middleware answers 401 before the SDK runs.
 * Internal errors keep only the ForgeError's message (never a cause, which may hold secrets).
 */
export function toA2AError(error: unknown): Error {
  if (error instanceof A2AError) return error;
  const forge = ForgeError.from(error);
  const message = forge.message;
  switch (forge.code) {
    case 'BAD_INPUT':
    case 'UNKNOWN_SKILL':
    case 'BAD_CONFIG':
      return new RequestMalformedError(message);
    case 'NOT_FOUND':
    case 'FORBIDDEN':
      return new TaskNotFoundError(message);
    case 'ILLEGAL_TRANSITION':
      return new TaskNotCancelableError(message);
    case 'CONFLICT':
      return new UnsupportedOperationError(message);
    case 'UNAUTHENTICATED':
    case 'CANCELED':
    case 'DEADLINE_EXCEEDED':
    case 'UNAVAILABLE':
    case 'BUDGET_EXHAUSTED':
    case 'PROVIDER_ERROR':
    case 'INTERNAL':
      // A plain Error: the SDK answers -32603 / 500 with this message.
      return new Error(forge.code === 'INTERNAL' ? 'internal error' : `${forge.code}: ${message}`);
    default:
      return assertNever(forge.code, 'error code');
  }
}

/** A task id the caller cannot see; the same answer whether it exists for someone else or not. */
export function taskNotFound(id: string): Error {
  return new TaskNotFoundError(`task not found: ${id}`);
}
