import { z } from 'zod';

/**
 * What the router child reports over IPC since the last `reset`: the gateway's own work per call
 * (decision lookup, admission, accounting: everything but the provider; the router's
 * `GatewayStats`, its last 4,096 calls) and the CPU the whole router process used.
 */
export const RouterStats = z.object({
  /** Calls the gateway finished. */
  count: z.number().int().nonnegative(),
  p50: z.number().nullable(),
  p90: z.number().nullable(),
  p99: z.number().nullable(),
  /** User + system CPU of the router process, ms. */
  cpuMs: z.number().nonnegative(),
  wallMs: z.number().nonnegative(),
});
export type RouterStats = z.infer<typeof RouterStats>;
