import { z } from 'zod';

/**
 * One text delta of a streamed model call, published (core NATS) to the request's `streamTo`
 * subject as it arrives. `index` counts from 0 within the call; the call's reply, sent after the
 * last delta, ends the stream. Not yet in @forge/contracts: it belongs there.
 */
export const ModelStreamChunk = z.object({
  v: z.literal(1),
  taskId: z.uuid(),
  attempt: z.number().int().positive(),
  callId: z.number().int().nonnegative(),
  index: z.number().int().nonnegative(),
  text: z.string(),
});
export type ModelStreamChunk = z.infer<typeof ModelStreamChunk>;
