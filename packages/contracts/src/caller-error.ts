import { type ErrorSpec, errorSpec } from './error-spec.js';
import { type ErrorCode, ForgeError } from './errors.js';

/** Longest message shown to a caller: a validation message may quote the caller's own input. */
const MAX_MESSAGE = 1_000;

/**
 * What a caller may learn of an error, the same on every transport: the code's row of the error
 * table, a message safe to show (the table's message, or the thrower's own for errors that name
 * the caller's mistake), "try later" or not, and an id that the log line with the detail carries
 * too. Never a cause, a stack, driver text or an address.
 */
export interface CallerError {
  readonly code: ErrorCode;
  readonly spec: ErrorSpec;
  readonly message: string;
  /** The table's answer for the code: may the same request succeed later? */
  readonly retryable: boolean;
  /** Seconds to wait before trying again, where one is meaningful. */
  readonly retryAfterSeconds: number | undefined;
  readonly errorId: string;
  /** The request field at fault, when the thrower named it. */
  readonly field: string | undefined;
  /** One line per bad field, when the thrower listed them. */
  readonly issues: readonly string[];
}

/** A short random id for one error answer (16 hex digits). */
export function newErrorId(): string {
  return globalThis.crypto.randomUUID().replaceAll('-', '').slice(0, 16);
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string').slice(0, 20) : [];
}

function positiveSeconds(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.ceil(value) : undefined;
}

/**
 * The caller's view of anything thrown. Something that is not a ForgeError is INTERNAL. The
 * message of a code whose row hides it ends with the error id, so a person can quote it.
 */
export function callerError(error: unknown, errorId: string = newErrorId()): CallerError {
  const forge = ForgeError.from(error);
  const spec = errorSpec(forge.code);
  const own = forge.message.length > MAX_MESSAGE ? `${forge.message.slice(0, MAX_MESSAGE)}…` : forge.message;
  const details = forge.details ?? {};
  const reason = typeof details.reason === 'string' ? spec.reasons?.[details.reason] : undefined;
  const message =
    spec.showsMessage && own.length > 0 ? own : `${reason ?? spec.message} (error id ${errorId})`;
  return {
    code: forge.code,
    spec,
    message,
    retryable: spec.retryable,
    retryAfterSeconds: spec.retryable
      ? (positiveSeconds(details.retryAfterSeconds) ?? spec.retryAfterSeconds)
      : undefined,
    errorId,
    field: typeof details.field === 'string' ? details.field : undefined,
    issues: stringList(details.issues),
  };
}

/**
 * The whole story of an error for a log line: its message and each cause's, outermost first.
 * For logs only: it may hold driver text and addresses that a caller must never see.
 */
export function errorDetail(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    parts.push(current instanceof Error ? current.message : String(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(' <- ');
}
