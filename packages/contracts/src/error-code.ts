/**
 * Stable error codes. What each one means on every transport (HTTP status, A2A JSON-RPC code and
 * HTTP+JSON status, google.rpc status, OpenAI error type, NATS reply, retryability) is one row of
 * `ERROR_SPECS` (error-spec.ts); code everywhere else matches on `code`, never on message text.
 */
export const ERROR_CODES = [
  'BAD_INPUT',
  'BAD_CONFIG',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'ILLEGAL_TRANSITION',
  'UNKNOWN_SKILL',
  'NOT_CANCELABLE',
  'UNSUPPORTED_OPERATION',
  'UNSUPPORTED_CONTENT_TYPE',
  'UNSUPPORTED_MEDIA_TYPE',
  'UNSUPPORTED_VERSION',
  'PUSH_NOT_SUPPORTED',
  'METHOD_NOT_FOUND',
  'PAYLOAD_TOO_LARGE',
  'CANCELED',
  'DEADLINE_EXCEEDED',
  'UNAVAILABLE',
  'BUDGET_EXHAUSTED',
  'RATE_LIMITED',
  'OVERLOADED',
  'PROVIDER_ERROR',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];
