import { assertNever, type ErrorCode, ForgeError } from '@forge/contracts';

/**
 * The plain-HTTP error mapping (health, auth, body parsing: everything outside the A2A SDK's own
 * handlers), in one place. Bodies are always JSON: `{"error":{"code":"<CODE>","message":"..."}}`.
 */
export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case 'BAD_INPUT':
    case 'UNKNOWN_SKILL':
    case 'BAD_CONFIG':
      return 400;
    case 'UNAUTHENTICATED':
      return 401;
    case 'FORBIDDEN':
      return 403;
    case 'NOT_FOUND':
      return 404;
    case 'CONFLICT':
    case 'ILLEGAL_TRANSITION':
      return 409;
    case 'CANCELED':
      return 499;
    case 'UNAVAILABLE':
      return 503;
    case 'DEADLINE_EXCEEDED':
      return 504;
    case 'BUDGET_EXHAUSTED':
      return 429;
    case 'PROVIDER_ERROR':
      return 502;
    case 'INTERNAL':
      return 500;
    default:
      return assertNever(code, 'error code');
  }
}

/** The JSON body for a plain-HTTP error; INTERNAL hides its message. */
export function httpErrorBody(error: ForgeError): { error: { code: ErrorCode; message: string } } {
  return {
    error: { code: error.code, message: error.code === 'INTERNAL' ? 'internal error' : error.message },
  };
}

/** Status and body for anything thrown. */
export function toHttpError(error: unknown): { status: number; body: ReturnType<typeof httpErrorBody> } {
  const forge = ForgeError.from(error);
  return { status: httpStatusOf(forge.code), body: httpErrorBody(forge) };
}
