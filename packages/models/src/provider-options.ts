import { z } from 'zod';

/**
 * How an adapter speaks HTTP to its vendor: `wire` (default) its own thin client
 * (`openai-transport.ts`, `anthropic-transport.ts`: `undici` on a keep-alive pool, the JSON body
 * written once, the answer parsed once), or `sdk` the vendor's official SDK over the same pool.
 * Both give the same results and errors (the parity tests hold them to it); `sdk` stays for
 * side-by-side benchmarks and as a fallback.
 */
export const ProviderTransport = z.enum(['wire', 'sdk']);
export type ProviderTransport = z.infer<typeof ProviderTransport>;

/** What a vendor adapter needs: a key (from env or a mounted file, never logged) and, optionally, a base URL. */
export const ProviderOptions = z.object({
  apiKey: z.string().min(1),
  /** The vendor's API by default; a proxy, or the fake LLM server in tests. */
  baseUrl: z.url().optional(),
  /** `wire` by default; see {@link ProviderTransport}. Batch APIs always go through the SDKs. */
  transport: ProviderTransport.default('wire'),
});
export type ProviderOptions = z.input<typeof ProviderOptions>;
