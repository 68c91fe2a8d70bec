import {
  type CallerError,
  callerError,
  ERROR_CODES,
  type ErrorCode,
  errorDetail,
  ForgeError,
  type OpenAIErrorType,
} from '@forge/contracts';
import type { Logger } from '@forge/telemetry';
import type { Response } from 'express';

/** OpenAI's error body: `{"error":{"message","type","param","code"}}`. */
export interface OpenAIErrorBody {
  error: { message: string; type: OpenAIErrorType; param: string | null; code: string };
}

function isErrorCode(code: string): code is ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(code);
}

/**
 * The endpoint's answer for an error, from the error table's OpenAI column: status, body and the
 * `Retry-After` seconds when "try later" has a meaningful wait. The message is the caller's view
 * (the table's message and error id for server faults; the field at fault for bad requests).
 */
export function openAIError(view: CallerError): {
  status: number;
  body: OpenAIErrorBody;
  retryAfterSeconds: number | undefined;
} {
  const { openAI } = view.spec;
  return {
    status: openAI.status,
    body: {
      error: { message: view.message, type: openAI.type, param: view.field ?? null, code: openAI.code },
    },
    retryAfterSeconds: view.retryAfterSeconds,
  };
}

/**
 * An error outcome the gateway reported by code (a string from the wire): its caller view. An
 * unknown code is a provider's failure (502). The outcome's message is the gateway's own: it is
 * logged with the error id and shown only where the table shows messages.
 */
export function outcomeError(code: string, message: string): ForgeError {
  return new ForgeError(isErrorCode(code) ? code : 'PROVIDER_ERROR', message);
}

/**
 * Sends anything thrown as an OpenAI-style JSON error. The detail (cause chain included) goes to
 * the log line under the error id; server faults at `error`, a caller's mistake at `info`.
 */
export function sendOpenAIError(
  res: Response,
  error: unknown,
  logger?: Logger,
  context: Record<string, unknown> = {},
): void {
  const view = callerError(error);
  const param =
    error instanceof ForgeError && typeof error.details?.param === 'string' ? error.details.param : null;
  const { status, body, retryAfterSeconds } = openAIError(view);
  if (param !== null) body.error.param = param;
  if (logger) {
    const line = { ...context, errorId: view.errorId, code: view.code, err: errorDetail(error) };
    // Overload is the service protecting itself, expected under bursts: a warning, not a fault.
    if (view.code === 'OVERLOADED') logger.warn(line, 'request refused: overloaded');
    else if (status >= 500) logger.error(line, 'request failed');
    else logger.info(line, 'request refused');
  }
  if (retryAfterSeconds !== undefined) res.set('Retry-After', String(retryAfterSeconds));
  res.status(status).json(body);
}
