import { ERROR_CODES, type ErrorCode, ForgeError } from '@forge/contracts';
import type { Response } from 'express';

/** OpenAI's error `type` words, so OpenAI clients show the right message and retry the right calls. */
type OpenAIErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'insufficient_quota'
  | 'rate_limit_error'
  | 'server_error'
  | 'service_unavailable';

function isErrorCode(code: string): code is ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(code);
}

/** HTTP status and OpenAI error type for a Forge error code (the endpoint's one mapping). */
export function openAIStatusOf(code: string): { status: number; type: OpenAIErrorType } {
  if (!isErrorCode(code)) return { status: 502, type: 'server_error' };
  switch (code) {
    case 'BAD_INPUT':
    case 'UNKNOWN_SKILL':
      return { status: 400, type: 'invalid_request_error' };
    case 'UNAUTHENTICATED':
      return { status: 401, type: 'authentication_error' };
    case 'FORBIDDEN':
      return { status: 403, type: 'invalid_request_error' };
    case 'NOT_FOUND':
      return { status: 404, type: 'invalid_request_error' };
    case 'BUDGET_EXHAUSTED':
      return { status: 429, type: 'insufficient_quota' };
    case 'CANCELED':
      return { status: 499, type: 'invalid_request_error' };
    case 'DEADLINE_EXCEEDED':
      return { status: 504, type: 'server_error' };
    case 'UNAVAILABLE':
      return { status: 503, type: 'service_unavailable' };
    case 'PROVIDER_ERROR':
      return { status: 502, type: 'server_error' };
    case 'CONFLICT':
    case 'ILLEGAL_TRANSITION':
      return { status: 409, type: 'invalid_request_error' };
    case 'BAD_CONFIG':
    case 'INTERNAL':
      return { status: 500, type: 'server_error' };
  }
}

/** The OpenAI error body: `{"error":{"message","type","param","code"}}`. INTERNAL hides its message. */
export function openAIErrorBody(code: string, message: string, param: string | null = null) {
  const { type } = openAIStatusOf(code);
  return {
    error: {
      message: code === 'INTERNAL' ? 'internal error' : message,
      type,
      param,
      code: code === 'UNAUTHENTICATED' ? 'invalid_api_key' : code.toLowerCase(),
    },
  };
}

/** Sends anything thrown as an OpenAI-style JSON error. */
export function sendOpenAIError(res: Response, error: unknown): void {
  const forge = ForgeError.from(error);
  const param = typeof forge.details?.param === 'string' ? forge.details.param : null;
  res.status(openAIStatusOf(forge.code).status).json(openAIErrorBody(forge.code, forge.message, param));
}
