import { z } from 'zod';

/** What the embedded Postgres host tells `forge up` over IPC: ready with its URL, or why not. */
export const PgHostMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), url: z.string() }),
  z.object({ type: z.literal('error'), message: z.string() }),
]);
export type PgHostMessage = z.infer<typeof PgHostMessage>;

/** The host's settings, passed by `forge up` in its environment. */
export const PgHostEnv = z.object({
  FORGE_PG_DATA_DIR: z.string().min(1),
  FORGE_PG_HOST: z.string().default('127.0.0.1'),
  FORGE_PG_PORT: z.coerce.number().int().min(1).max(65535),
  FORGE_PG_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(1000),
});
