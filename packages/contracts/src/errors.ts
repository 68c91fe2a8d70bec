import { ERROR_CODES, type ErrorCode } from './error-code.js';
import { defaultRetryable } from './error-spec.js';

export { ERROR_CODES, type ErrorCode };

export interface ForgeErrorOptions {
  /** Whether another attempt may succeed; the code's row in `ERROR_SPECS` decides by default. */
  retryable?: boolean;
  cause?: unknown;
  /**
   * Structured detail safe to show a caller (never secrets). Transports read `field` (the request
   * field at fault), `issues` (one line per bad field) and `retryAfterSeconds`.
   */
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
    this.retryable = options.retryable ?? defaultRetryable(code);
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
