import type { IncomingHttpHeaders } from 'node:http';
import { ForgeError } from '@forge/contracts';
import { z } from 'zod';

/**
 * The request's own timeout, in whole seconds: the header the openai SDK sends with every request
 * (its `timeout` option, truncated to seconds).
 */
export const TIMEOUT_HEADER = 'x-stainless-timeout';

const Seconds = z
  .string()
  .trim()
  .regex(/^\d{1,9}(\.\d{1,6})?$/, 'must be a number of seconds');

/**
 * When an endpoint call must be over (epoch ms): `now` plus the request's timeout header, never
 * later than the gateway's call timeout (`defaultMs`), which is also the deadline of a request
 * without the header. `0` (a client timeout under a second, truncated by the SDK) counts as one
 * second; the client's own disconnect still ends the call. A bad value is BAD_INPUT naming the
 * header.
 */
export function callDeadline(headers: IncomingHttpHeaders, now: number, defaultMs: number): number {
  const raw = headers[TIMEOUT_HEADER];
  if (raw === undefined) return now + defaultMs;
  const parsed = Seconds.safeParse(Array.isArray(raw) ? raw[0] : raw);
  if (!parsed.success) {
    throw new ForgeError('BAD_INPUT', `${TIMEOUT_HEADER}: ${parsed.error.issues[0]?.message ?? 'invalid'}`, {
      retryable: false,
      details: { param: TIMEOUT_HEADER },
    });
  }
  const ms = Math.max(1, Number(parsed.data)) * 1000;
  return now + Math.min(ms, defaultMs);
}
