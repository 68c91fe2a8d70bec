import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';

/**
 * The request's own timeout, in whole seconds: the header the openai SDK sends with every request
 * (its `timeout` option, truncated to seconds).
 */
export const TIMEOUT_HEADER = 'x-stainless-timeout';

/**
 * A whole or decimal number of seconds, or `Infinity` (what openai-node sends for `timeout:
 * Infinity`); any number of digits (a huge timeout is clamped below).
 */
const Seconds = z
  .string()
  .trim()
  .regex(/^(\d+(\.\d+)?|Infinity)$/)
  .transform(Number);

/**
 * When an endpoint call must be over (epoch ms): `now` plus the request's timeout header, never
 * later than the gateway's call timeout (`defaultMs`), which is also the deadline of a request
 * without the header. `0` (a client timeout under a second, truncated by the SDK) counts as one
 * second; the client's own disconnect still ends the call. The header is advice from the client
 * library, not part of the request: a value that is not a number of seconds is ignored (the call
 * gets the default), never refused, and a huge one (`Infinity`, many digits) is clamped.
 */
export function callDeadline(headers: IncomingHttpHeaders, now: number, defaultMs: number): number {
  const raw = headers[TIMEOUT_HEADER];
  if (raw === undefined) return now + defaultMs;
  const parsed = Seconds.safeParse(Array.isArray(raw) ? raw[0] : raw);
  if (!parsed.success || Number.isNaN(parsed.data)) return now + defaultMs;
  const ms = Math.max(1, parsed.data) * 1000;
  return now + Math.min(ms, defaultMs);
}
