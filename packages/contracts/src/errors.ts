/**
 * Stable error codes. Transports map them (HTTP status, JSON-RPC code, JetStream action) in one
 * file each; code everywhere else matches on `code`, never on message text.
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
  'CANCELED',
  'DEADLINE_EXCEEDED',
  'UNAVAILABLE',
  'BUDGET_EXHAUSTED',
  'PROVIDER_ERROR',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Codes that are worth another attempt by default (the thrower may override). */
const RETRYABLE_BY_DEFAULT: ReadonlySet<ErrorCode> = new Set([
  'UNAVAILABLE',
  'PROVIDER_ERROR',
  'DEADLINE_EXCEEDED',
]);

export interface ForgeErrorOptions {
  retryable?: boolean;
  cause?: unknown;
  /** Structured detail safe to show a caller (never secrets). */
  details?: Record<string, unknown>;
}

/** The one error base of Forge: a stable `code`, whether another attempt may succeed, and a cause. */
export class ForgeError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: ForgeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ForgeError';
    this.code = code;
    this.retryable = options.retryable ?? RETRYABLE_BY_DEFAULT.has(code);
    this.details = options.details;
  }

  /** Wraps anything thrown into a ForgeError, keeping ForgeErrors as they are. */
  static from(error: unknown, fallback: ErrorCode = 'INTERNAL'): ForgeError {
    if (error instanceof ForgeError) return error;
    const message = error instanceof Error ? error.message : String(error);
    return new ForgeError(fallback, message, { cause: error });
  }
}

export function isForgeError(error: unknown, code?: ErrorCode): error is ForgeError {
  return error instanceof ForgeError && (code === undefined || error.code === code);
}

/** Ends a `switch` over a union: a new member becomes a compile error here. */
export function assertNever(value: never, what = 'value'): never {
  throw new ForgeError('INTERNAL', `unexpected ${what}: ${JSON.stringify(value)}`);
}
