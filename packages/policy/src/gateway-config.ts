import { z } from 'zod';

const Ms = z.number().int().positive().max(3_600_000);

/**
 * How the model gateway treats providers. Times in milliseconds.
 * - `timeouts.firstTokenMs`: no first token by then counts as a failure and falls back to the
 *   tier's next model (nothing has been sent on yet); `idleMs`: a stream silent this long is cut;
 *   `totalMs`: the whole call.
 * - `retries`: per model, on 429/5xx/timeout before the first token; delays grow from
 *   `backoffBaseMs` doubling up to `backoffMaxMs`; a `retry-after` longer than `maxRetryAfterMs`
 *   moves on to the next model instead of waiting.
 * - `breaker`: per model; `failureThreshold` failures within `windowMs` open it, it stays open
 *   `cooldownMs`, then lets one probe call through (success closes it, failure reopens it).
 * - `reservationTtlMs`: a budget reservation not settled by then is released (its caller died).
 */
export const GatewayConfig = z
  .strictObject({
    timeouts: z
      .strictObject({
        firstTokenMs: Ms.default(30_000),
        idleMs: Ms.default(30_000),
        totalMs: Ms.default(180_000),
      })
      .prefault({}),
    retries: z
      .strictObject({
        maxRetries: z.number().int().nonnegative().max(10).default(2),
        backoffBaseMs: Ms.default(250),
        backoffMaxMs: Ms.default(8_000),
        maxRetryAfterMs: Ms.default(20_000),
      })
      .prefault({}),
    breaker: z
      .strictObject({
        failureThreshold: z.number().int().positive().max(1000).default(5),
        windowMs: Ms.default(60_000),
        cooldownMs: Ms.default(30_000),
      })
      .prefault({}),
    reservationTtlMs: Ms.default(600_000),
  })
  .prefault({});
export type GatewayConfig = z.infer<typeof GatewayConfig>;
