import { callerError, type ErrorCode, errorDetail } from '@forge/contracts';
import type { Logger } from '@forge/telemetry';
import type { Response } from 'express';

/** The body of a plain-HTTP error (health, the card, paths outside the A2A bindings). */
export interface HttpErrorBody {
  error: { code: ErrorCode; message: string; errorId: string };
}

/**
 * Answers anything thrown on a plain-HTTP path from the error table: its HTTP status, the
 * caller's view of the message, the error id, and `Retry-After` where a wait is meaningful. The
 * detail goes to the log line under the same id (server faults at `error`).
 */
export function sendHttpError(
  res: Response,
  error: unknown,
  logger: Logger,
  context: Record<string, unknown> = {},
): void {
  const view = callerError(error);
  const status = view.spec.http.status;
  const line = { ...context, errorId: view.errorId, code: view.code, err: errorDetail(error) };
  if (status >= 500) logger.error(line, 'request failed');
  else logger.debug(line, 'request refused');
  if (res.headersSent) {
    res.end();
    return;
  }
  if (view.retryAfterSeconds !== undefined) res.set('Retry-After', String(view.retryAfterSeconds));
  const body: HttpErrorBody = { error: { code: view.code, message: view.message, errorId: view.errorId } };
  res.status(status).json(body);
}
