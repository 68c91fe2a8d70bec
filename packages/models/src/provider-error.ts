import { ForgeError, type ModelUsage, type ProviderKind } from '@forge/contracts';

/**
 * How a provider call failed:
 * - `rate_limited`: 429 (with `retryAfterMs` when the vendor said how long to wait);
 * - `server`: 5xx, including Anthropic's 529 overloaded;
 * - `timeout`: no answer (or, for a stream, no event) within `timeoutMs`;
 * - `connection`: the connection failed or was cut;
 * - `bad_response`: the reply was malformed, unparseable, or failed the requested JSON schema;
 * - `client`: any other 4xx: the request itself is wrong, another attempt will not help.
 */
export const PROVIDER_ERROR_KINDS = [
  'rate_limited',
  'server',
  'timeout',
  'connection',
  'bad_response',
  'client',
] as const;
export type ProviderErrorKind = (typeof PROVIDER_ERROR_KINDS)[number];

export interface ProviderErrorOptions {
  kind: ProviderErrorKind;
  provider: ProviderKind;
  model: string;
  status?: number;
  retryAfterMs?: number;
  /** For streams: true when nothing had been passed on yet, so another model may take over. */
  beforeFirstToken?: boolean;
  /** What the failed call had used, when the vendor (or the part of the stream that came) told. */
  usage?: ModelUsage;
  cause?: unknown;
}

/**
 * A provider call that failed, normalised across vendors (code PROVIDER_ERROR). Only `client`
 * errors are not retryable. The message never carries request headers or keys.
 */
export class ProviderError extends ForgeError {
  readonly kind: ProviderErrorKind;
  readonly provider: ProviderKind;
  readonly model: string;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly beforeFirstToken: boolean;
  readonly usage: ModelUsage | undefined;

  constructor(message: string, options: ProviderErrorOptions) {
    super('PROVIDER_ERROR', message, {
      retryable: options.kind !== 'client',
      cause: options.cause,
      details: {
        kind: options.kind,
        provider: options.provider,
        model: options.model,
        ...(options.status === undefined ? {} : { status: options.status }),
        ...(options.retryAfterMs === undefined ? {} : { retryAfterMs: options.retryAfterMs }),
      },
    });
    this.name = 'ProviderError';
    this.kind = options.kind;
    this.provider = options.provider;
    this.model = options.model;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.beforeFirstToken = options.beforeFirstToken ?? true;
    this.usage = options.usage;
  }
}

export function isProviderError(error: unknown): error is ProviderError {
  return error instanceof ProviderError;
}

/**
 * Milliseconds to wait from `retry-after-ms` (milliseconds, preferred) or `retry-after`
 * (seconds, or an HTTP date); undefined when neither is there or parses. Never negative.
 */
export function parseRetryAfterMs(
  headers: { get(name: string): string | null } | undefined,
  now: number = Date.now(),
): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '') {
    const value = Number(ms);
    if (Number.isFinite(value)) return Math.max(0, Math.ceil(value));
  }
  const after = headers.get('retry-after');
  if (after === null || after.trim() === '') return undefined;
  const seconds = Number(after);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds * 1000));
  const date = Date.parse(after);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
