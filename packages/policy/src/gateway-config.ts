import { z } from 'zod';
import { Duration } from './duration.js';

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
 * - `caching`: prompt caching of the stable parts skills declare. A prefix under
 *   `minPrefixTokens` is never marked (vendors cache nothing that short); otherwise the gateway
 *   marks it for 5 minutes, 1 hour or not at all, whichever the skill's rhythm makes cheapest
 *   (the last `historySize` calls of the prefix, the ledger's last `historyWindow`, else the
 *   route's `cadence`).
 * - `batch`: deferrable skills' calls gathered for `collectMs`, sent as one vendor batch of at
 *   most `maxRequests`, polled every `pollMs`; a waiting caller asks again every `clientPollMs`;
 *   a call waits at most `maxWait` (a route may say less) and never past its task's deadline less
 *   `fallbackMarginMs`, the time left for the normal call that then answers it.
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
    caching: z
      .strictObject({
        enabled: z.boolean().default(true),
        minPrefixTokens: z.number().int().positive().max(1_000_000).default(1024),
        historySize: z.number().int().min(2).max(1000).default(20),
        historyWindow: Duration(7 * 86_400_000).default(86_400_000),
      })
      .prefault({}),
    batch: z
      .strictObject({
        enabled: z.boolean().default(true),
        collectMs: Ms.default(5_000),
        pollMs: Ms.default(30_000),
        clientPollMs: Ms.default(15_000),
        maxRequests: z.number().int().positive().max(10_000).default(1_000),
        maxWait: Duration(86_400_000).default(43_200_000),
        fallbackMarginMs: Ms.default(300_000),
      })
      .prefault({}),
  })
  .prefault({});
export type GatewayConfig = z.infer<typeof GatewayConfig>;
