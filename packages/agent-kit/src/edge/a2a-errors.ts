import {
  type A2AError,
  ContentTypeNotSupportedError,
  PushNotificationNotSupportedError,
  RequestMalformedError,
  TaskNotCancelableError,
  TaskNotFoundError,
  UnsupportedOperationError,
  VersionNotSupportedError,
} from '@a2a-js/sdk/errors';
import { type A2AErrorName, type CallerError, ForgeError, type RpcStatus } from '@forge/contracts';

/** `@type` of the google.rpc details Forge sends (ProtoJSON `Any`, A2A v1.0 §3.3.2). */
const ERROR_INFO = 'type.googleapis.com/google.rpc.ErrorInfo';
const BAD_REQUEST = 'type.googleapis.com/google.rpc.BadRequest';
const RETRY_INFO = 'type.googleapis.com/google.rpc.RetryInfo';
/** JSON-RPC's invalid params: the validation errors, which name their fields. */
const INVALID_PARAMS = -32602;

/** One entry of `error.data` (JSON-RPC) or `error.details` (HTTP+JSON). */
export type ErrorDetail = { '@type': string } & Record<string, unknown>;

/** A JSON-RPC 2.0 error object as A2A v1.0 §9.5 shapes it. */
export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data: ErrorDetail[];
}

/** A `google.rpc.Status` body as A2A v1.0 §11.6 shapes it. */
export interface RestErrorBody {
  error: { code: number; status: RpcStatus; message: string; details: ErrorDetail[] };
}

/**
 * The details every A2A error answer carries, the same on both bindings:
 *
 * - `google.rpc.ErrorInfo` with the table's reason and domain (`a2a-protocol.org` for the errors
 *   A2A defines, so the SDK's clients rebuild `TaskNotFoundError` and the rest; `forge` for
 *   Forge's own), and metadata naming the Forge code, the error id (also in the log line) and
 *   whether to try later;
 * - `google.rpc.BadRequest` naming the field(s) at fault, for validation errors;
 * - `google.rpc.RetryInfo` with the delay, when trying later has a meaningful wait.
 */
export function errorDetails(view: CallerError): ErrorDetail[] {
  const { a2a } = view.spec;
  const metadata: Record<string, string> = {
    code: view.code,
    errorId: view.errorId,
    retryable: String(view.retryable),
  };
  if (view.field) metadata.field = view.field;
  const details: ErrorDetail[] = [{ '@type': ERROR_INFO, reason: a2a.reason, domain: a2a.domain, metadata }];
  if (a2a.jsonRpcCode === INVALID_PARAMS) {
    const violations =
      view.issues.length > 0
        ? view.issues.map(violationOf)
        : [{ field: view.field ?? '', description: view.message }];
    details.push({ '@type': BAD_REQUEST, fieldViolations: violations });
  }
  if (view.retryAfterSeconds !== undefined)
    details.push({ '@type': RETRY_INFO, retryDelay: `${view.retryAfterSeconds}s` });
  return details;
}

/** `message.parts[0]: Invalid input` → `{ field: 'message.parts[0]', description: 'Invalid input' }`. */
function violationOf(issue: string): { field: string; description: string } {
  const at = issue.indexOf(': ');
  return at === -1
    ? { field: '', description: issue }
    : { field: issue.slice(0, at), description: issue.slice(at + 2) };
}

/** The JSON-RPC error object for an error (A2A v1.0 §5.4, §9.5). */
export function jsonRpcError(view: CallerError): JsonRpcErrorObject {
  return { code: view.spec.a2a.jsonRpcCode, message: view.message, data: errorDetails(view) };
}

/** The HTTP+JSON status and `google.rpc.Status` body for an error (A2A v1.0 §5.4, §11.6). */
export function restError(view: CallerError): { status: number; body: RestErrorBody } {
  const status = view.spec.a2a.httpStatus;
  return {
    status,
    body: {
      error: {
        code: status,
        status: view.spec.http.rpcStatus,
        message: view.message,
        details: errorDetails(view),
      },
    },
  };
}

const SDK_ERRORS: Record<A2AErrorName, new (message: string) => A2AError> = {
  TaskNotFoundError,
  TaskNotCancelableError,
  PushNotificationNotSupportedError,
  UnsupportedOperationError,
  ContentTypeNotSupportedError,
  VersionNotSupportedError,
};

/**
 * The SDK's error for an error, for the v0.3 transports the SDK still serves (legacy clients):
 * the A2A error of the code's row, RequestMalformed for invalid params, and otherwise a plain
 * Error carrying only the caller's message (the SDK answers it as an internal error).
 */
export function toSdkError(view: CallerError): Error {
  const name = view.spec.a2a.error;
  if (name) return new SDK_ERRORS[name](view.message);
  if (view.spec.a2a.jsonRpcCode === INVALID_PARAMS) return new RequestMalformedError(view.message);
  return new Error(view.message);
}

/** A task id the caller cannot see; the same answer whether it exists for someone else or not. */
export function taskNotFound(id: string): ForgeError {
  return new ForgeError('NOT_FOUND', `task not found: ${id}`);
}
