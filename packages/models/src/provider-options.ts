import { z } from 'zod';

/** What a vendor adapter needs: a key (from env or a mounted file, never logged) and, optionally, a base URL. */
export const ProviderOptions = z.object({
  apiKey: z.string().min(1),
  /** The vendor's API by default; a proxy, or the fake LLM server in tests. */
  baseUrl: z.url().optional(),
});
export type ProviderOptions = z.input<typeof ProviderOptions>;
