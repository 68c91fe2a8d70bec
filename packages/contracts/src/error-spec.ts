import type { ErrorCode } from './error-code.js';

/** `google.rpc.Code` names: the `status` of an HTTP+JSON error body and of a gRPC status. */
export type RpcStatus =
  | 'CANCELLED'
  | 'INVALID_ARGUMENT'
  | 'DEADLINE_EXCEEDED'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'PERMISSION_DENIED'
  | 'RESOURCE_EXHAUSTED'
  | 'FAILED_PRECONDITION'
  | 'UNIMPLEMENTED'
  | 'INTERNAL'
  | 'UNAVAILABLE'
  | 'UNAUTHENTICATED';

/** The A2A-specific errors of A2A v1.0 §3.3.2, by the names the spec gives them. */
export type A2AErrorName =
  | 'TaskNotFoundError'
  | 'TaskNotCancelableError'
  | 'PushNotificationNotSupportedError'
  | 'UnsupportedOperationError'
  | 'ContentTypeNotSupportedError'
  | 'VersionNotSupportedError';

/** OpenAI's error `type` words, so OpenAI clients show the right message and retry the right calls. */
export type OpenAIErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'insufficient_quota'
  | 'server_error'
  | 'service_unavailable';

/** `google.rpc.ErrorInfo.domain` of the errors A2A defines (§10.6, §11.6). */
export const A2A_ERROR_DOMAIN = 'a2a-protocol.org';
/** `google.rpc.ErrorInfo.domain` of the errors only Forge defines. */
export const FORGE_ERROR_DOMAIN = 'forge';

/**
 * One row of the error table: everything every transport answers for one code.
 *
 * - `message`: what a caller is told. When `showsMessage` is true the thrower's own message is
 *   shown instead (it names the caller's own mistake, e.g. `message.parts[0]: ...`); otherwise
 *   the thrower's message stays in the log line, under the error id the caller gets.
 * - `retryable`: whether the same request may succeed later ("try later" versus "your request is
 *   wrong"); also a ForgeError's default `retryable`. `retryAfterSeconds` is the default
 *   `Retry-After` / `google.rpc.RetryInfo` where one is meaningful (a thrower may name its own).
 * - `http`: plain HTTP (health, the router's API) and the google.rpc status name.
 * - `a2a`: the A2A v1.0 answer on both bindings (§5.4, §9.5, §11.6): the spec's error when there
 *   is one, the JSON-RPC code, the HTTP+JSON status, and the `ErrorInfo` reason and domain. Codes
 *   A2A does not define use Forge's own JSON-RPC codes, `-31000 - <HTTP status>`, outside the
 *   range JSON-RPC 2.0 reserves.
 * - `openAI`: the status, `type` and `code` of the router's OpenAI-compatible endpoint.
 * - `nats`: a bus reply error carries the code in the `Forge-Error` header and this `retryable`
 *   when the replier says nothing else; the message crosses as is (it is inside the mesh).
 */
export interface ErrorSpec {
  readonly code: ErrorCode;
  readonly message: string;
  readonly showsMessage: boolean;
  /**
   * Caller-safe messages by `details.reason`, for a code whose thrower's message holds internal
   * detail (counts, a component's name) but whose reason class the caller should learn: shown in
   * place of `message` when the thrower named one of these reasons.
   */
  readonly reasons?: Readonly<Record<string, string>>;
  readonly retryable: boolean;
  readonly retryAfterSeconds?: number;
  readonly http: { readonly status: number; readonly rpcStatus: RpcStatus };
  readonly a2a: {
    readonly error?: A2AErrorName;
    readonly jsonRpcCode: number;
    readonly httpStatus: number;
    readonly reason: string;
    readonly domain: typeof A2A_ERROR_DOMAIN | typeof FORGE_ERROR_DOMAIN;
  };
  readonly openAI: { readonly status: number; readonly type: OpenAIErrorType; readonly code: string };
}

type Row = Omit<ErrorSpec, 'code' | 'openAI' | 'a2a'> & {
  a2a: Omit<ErrorSpec['a2a'], 'domain' | 'reason' | 'httpStatus'> &
    Partial<Pick<ErrorSpec['a2a'], 'reason' | 'httpStatus'>>;
  openAI: Omit<ErrorSpec['openAI'], 'status' | 'code'> & Partial<Pick<ErrorSpec['openAI'], 'code'>>;
};

/** The reason A2A (and the SDK's clients) give validation errors: `RequestMalformedError`. */
const INVALID_PARAMS = { jsonRpcCode: -32602, reason: 'INVALID_PARAMS', httpStatus: 400 } as const;

const ROWS: { readonly [C in ErrorCode]: Row } = {
  BAD_INPUT: {
    message: 'the request is not valid',
    showsMessage: true,
    retryable: false,
    http: { status: 400, rpcStatus: 'INVALID_ARGUMENT' },
    a2a: INVALID_PARAMS,
    openAI: { type: 'invalid_request_error' },
  },
  UNKNOWN_SKILL: {
    message: 'this agent has no such skill',
    showsMessage: true,
    retryable: false,
    http: { status: 400, rpcStatus: 'INVALID_ARGUMENT' },
    a2a: INVALID_PARAMS,
    openAI: { type: 'invalid_request_error' },
  },
  UNSUPPORTED_CONTENT_TYPE: {
    message: 'the content type is not supported',
    showsMessage: true,
    retryable: false,
    http: { status: 415, rpcStatus: 'INVALID_ARGUMENT' },
    a2a: { error: 'ContentTypeNotSupportedError', jsonRpcCode: -32005, httpStatus: 400 },
    openAI: { type: 'invalid_request_error' },
  },
  UNSUPPORTED_MEDIA_TYPE: {
    message: 'the request body has a media type this endpoint does not take',
    showsMessage: true,
    retryable: false,
    http: { status: 415, rpcStatus: 'INVALID_ARGUMENT' },
    a2a: { error: 'ContentTypeNotSupportedError', jsonRpcCode: -32005, httpStatus: 415 },
    openAI: { type: 'invalid_request_error' },
  },
  UNSUPPORTED_VERSION: {
    message: 'the A2A protocol version is not supported',
    showsMessage: true,
    retryable: false,
    http: { status: 400, rpcStatus: 'FAILED_PRECONDITION' },
    a2a: { error: 'VersionNotSupportedError', jsonRpcCode: -32009, httpStatus: 400 },
    openAI: { type: 'invalid_request_error' },
  },
  UNSUPPORTED_OPERATION: {
    message: 'the operation is not supported',
    showsMessage: true,
    retryable: false,
    http: { status: 400, rpcStatus: 'FAILED_PRECONDITION' },
    a2a: { error: 'UnsupportedOperationError', jsonRpcCode: -32004, httpStatus: 400 },
    openAI: { type: 'invalid_request_error' },
  },
  PUSH_NOT_SUPPORTED: {
    message: 'push notifications are not supported',
    showsMessage: true,
    retryable: false,
    http: { status: 400, rpcStatus: 'FAILED_PRECONDITION' },
    a2a: { error: 'PushNotificationNotSupportedError', jsonRpcCode: -32003, httpStatus: 400 },
    openAI: { type: 'invalid_request_error' },
  },
  NOT_CANCELABLE: {
    message: 'the task cannot be canceled',
    showsMessage: true,
    retryable: false,
    http: { status: 409, rpcStatus: 'FAILED_PRECONDITION' },
    a2a: { error: 'TaskNotCancelableError', jsonRpcCode: -32002, httpStatus: 400 },
    openAI: { type: 'invalid_request_error' },
  },
  METHOD_NOT_FOUND: {
    message: 'no such method',
    showsMessage: true,
    retryable: false,
    http: { status: 404, rpcStatus: 'NOT_FOUND' },
    a2a: { jsonRpcCode: -32601 },
    openAI: { type: 'not_found_error' },
  },
  PAYLOAD_TOO_LARGE: {
    message: 'the request body is too large',
    showsMessage: true,
    retryable: false,
    http: { status: 413, rpcStatus: 'INVALID_ARGUMENT' },
    a2a: { jsonRpcCode: -32600 },
    openAI: { type: 'invalid_request_error' },
  },
  UNAUTHENTICATED: {
    message: 'an API key is required',
    showsMessage: true,
    retryable: false,
    http: { status: 401, rpcStatus: 'UNAUTHENTICATED' },
    a2a: { jsonRpcCode: -31401 },
    openAI: { type: 'authentication_error', code: 'invalid_api_key' },
  },
  FORBIDDEN: {
    message: 'this caller may not do that',
    showsMessage: true,
    retryable: false,
    http: { status: 403, rpcStatus: 'PERMISSION_DENIED' },
    a2a: { jsonRpcCode: -31403, reason: 'PERMISSION_DENIED' },
    openAI: { type: 'permission_error' },
  },
  NOT_FOUND: {
    message: 'not found',
    showsMessage: true,
    retryable: false,
    http: { status: 404, rpcStatus: 'NOT_FOUND' },
    a2a: { error: 'TaskNotFoundError', jsonRpcCode: -32001, httpStatus: 404 },
    openAI: { type: 'not_found_error' },
  },
  CONFLICT: {
    message: 'the request conflicts with an earlier one',
    showsMessage: true,
    retryable: false,
    http: { status: 409, rpcStatus: 'ALREADY_EXISTS' },
    a2a: { jsonRpcCode: -31409 },
    openAI: { type: 'invalid_request_error' },
  },
  ILLEGAL_TRANSITION: {
    message: 'the task is not in a state that allows this',
    showsMessage: true,
    retryable: false,
    http: { status: 409, rpcStatus: 'FAILED_PRECONDITION' },
    a2a: { error: 'UnsupportedOperationError', jsonRpcCode: -32004, httpStatus: 400 },
    openAI: { type: 'invalid_request_error' },
  },
  CANCELED: {
    message: 'the request was canceled',
    showsMessage: true,
    retryable: false,
    http: { status: 499, rpcStatus: 'CANCELLED' },
    a2a: { jsonRpcCode: -31499 },
    openAI: { type: 'invalid_request_error' },
  },
  DEADLINE_EXCEEDED: {
    message: 'the request ran out of time; try again',
    showsMessage: false,
    retryable: true,
    http: { status: 504, rpcStatus: 'DEADLINE_EXCEEDED' },
    a2a: { jsonRpcCode: -31504 },
    openAI: { type: 'server_error', code: 'timeout' },
  },
  UNAVAILABLE: {
    message: 'the service is unavailable; try again later',
    showsMessage: false,
    retryable: true,
    retryAfterSeconds: 5,
    http: { status: 503, rpcStatus: 'UNAVAILABLE' },
    a2a: { jsonRpcCode: -31503 },
    openAI: { type: 'service_unavailable' },
  },
  BUDGET_EXHAUSTED: {
    message: 'the budget for this work is spent; try again later',
    showsMessage: true,
    retryable: true,
    http: { status: 429, rpcStatus: 'RESOURCE_EXHAUSTED' },
    a2a: { jsonRpcCode: -31429 },
    openAI: { type: 'insufficient_quota' },
  },
  RATE_LIMITED: {
    message: 'too many requests; try again after the Retry-After delay',
    showsMessage: true,
    retryable: true,
    retryAfterSeconds: 1,
    http: { status: 429, rpcStatus: 'RESOURCE_EXHAUSTED' },
    // Shares -31429 (HTTP 429) with BUDGET_EXHAUSTED; ErrorInfo.reason tells them apart.
    a2a: { jsonRpcCode: -31429 },
    openAI: { type: 'invalid_request_error', code: 'rate_limit_exceeded' },
  },
  // The service's own capacity, not the caller's rate: its admission queue is full, the call
  // could not start in time to finish before its deadline, the database stayed busy, or the
  // replica is stopping (the call was not started; another replica takes it when asked again). The
  // caller learns which class (`details.reason`), never the thrower's counts and component names
  // (those stay in the log line); 503 like OpenAI's "engine is overloaded", so OpenAI clients
  // retry it after Retry-After.
  OVERLOADED: {
    message: 'the service is overloaded; try again after the Retry-After delay',
    showsMessage: false,
    reasons: {
      queue_full: 'the router is at its concurrent-call limit; try again after the Retry-After delay',
      deadline: "the call's deadline would pass before a slot frees; try again after the Retry-After delay",
      database: 'the database is busy; try again after the Retry-After delay',
      stopping:
        'this router replica is stopping and did not start the call; try again after the Retry-After delay',
    },
    retryable: true,
    retryAfterSeconds: 1,
    http: { status: 503, rpcStatus: 'UNAVAILABLE' },
    // Shares -31503 (HTTP 503) with UNAVAILABLE; ErrorInfo.reason tells them apart.
    a2a: { jsonRpcCode: -31503 },
    openAI: { type: 'service_unavailable', code: 'overloaded' },
  },
  PROVIDER_ERROR: {
    message: 'the model provider failed; try again later',
    showsMessage: false,
    retryable: true,
    retryAfterSeconds: 5,
    http: { status: 502, rpcStatus: 'UNAVAILABLE' },
    a2a: { jsonRpcCode: -31502 },
    openAI: { type: 'server_error' },
  },
  BAD_CONFIG: {
    message: 'the service is misconfigured',
    showsMessage: false,
    retryable: false,
    http: { status: 500, rpcStatus: 'INTERNAL' },
    a2a: { jsonRpcCode: -32603 },
    openAI: { type: 'server_error' },
  },
  INTERNAL: {
    message: 'internal error',
    showsMessage: false,
    retryable: false,
    http: { status: 500, rpcStatus: 'INTERNAL' },
    a2a: { jsonRpcCode: -32603 },
    openAI: { type: 'server_error' },
  },
};

/** The A2A `ErrorInfo.reason` of a spec error: its name in UPPER_SNAKE_CASE without `Error`. */
function reasonOf(name: A2AErrorName): string {
  return name
    .replace(/Error$/, '')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toUpperCase();
}

function specOf(code: ErrorCode, row: Row): ErrorSpec {
  const { a2a, openAI, ...rest } = row;
  const spec: ErrorSpec = {
    code,
    ...rest,
    a2a: {
      ...(a2a.error ? { error: a2a.error } : {}),
      jsonRpcCode: a2a.jsonRpcCode,
      httpStatus: a2a.httpStatus ?? row.http.status,
      reason: a2a.error ? reasonOf(a2a.error) : (a2a.reason ?? code),
      domain: a2a.error || a2a.reason === INVALID_PARAMS.reason ? A2A_ERROR_DOMAIN : FORGE_ERROR_DOMAIN,
    },
    openAI: { status: row.http.status, type: openAI.type, code: openAI.code ?? code.toLowerCase() },
  };
  return Object.freeze(spec);
}

/** The error table: one row per code, and every transport derives its answer from it. */
export const ERROR_SPECS: { readonly [C in ErrorCode]: ErrorSpec } = Object.freeze(
  Object.fromEntries(Object.entries(ROWS).map(([code, row]) => [code, specOf(code as ErrorCode, row)])) as {
    [C in ErrorCode]: ErrorSpec;
  },
);

/** The row of `code`. */
export function errorSpec(code: ErrorCode): ErrorSpec {
  return ERROR_SPECS[code];
}

/** A ForgeError's `retryable` when its thrower does not say. */
export function defaultRetryable(code: ErrorCode): boolean {
  return ROWS[code].retryable;
}
