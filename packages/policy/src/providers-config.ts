import { ModelId } from '@forge/contracts';
import { z } from 'zod';

/**
 * The NAME of an environment variable holding a secret. Config never holds key values: the
 * pattern (upper-case name) refuses anything shaped like a key, and the message never echoes it.
 */
export const EnvVarName = z
  .string()
  .regex(/^[A-Z][A-Z0-9_]{0,127}$/, 'must be an environment variable name (A-Z, 0-9, _), never a key value');

/** An http(s) base URL without credentials in it (credentials belong in an env var). */
export const BaseUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).refine((value) => {
  const url = new URL(value);
  return url.username === '' && url.password === '';
}, 'must not carry credentials; name an environment variable in apiKeyEnv instead');

/** Name of an OpenAI-compatible server; models on it are `openai-compatible:<server>/<model>`. */
export const CompatibleServerName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, 'must be 1-40 of a-z, 0-9, - and start with a letter');

const VendorProvider = (defaultKeyEnv: string) =>
  z
    .strictObject({
      apiKeyEnv: EnvVarName.default(defaultKeyEnv),
      /** Overrides the SDK's default endpoint (a proxy, a regional endpoint, a test server). */
      baseUrl: BaseUrl.optional(),
    })
    .prefault({});

/**
 * How to reach each provider. A vendor whose key variable is unset at start-up is unavailable,
 * and the router falls back to the tier's other models, then to the offline stand-in.
 * `offline.standIns` names, per tier, the priced model whose list price the offline provider
 * records as shadow cost; when absent, the tier's first priced model stands in.
 */
export const ProvidersConfig = z
  .strictObject({
    anthropic: VendorProvider('ANTHROPIC_API_KEY'),
    openai: VendorProvider('OPENAI_API_KEY'),
    openaiCompatible: z
      .record(
        CompatibleServerName,
        z.strictObject({
          baseUrl: BaseUrl,
          /** Optional: llama.cpp and Ollama take no key. */
          apiKeyEnv: EnvVarName.optional(),
        }),
      )
      .default({}),
    offline: z
      .strictObject({
        standIns: z.strictObject({ small: ModelId, mid: ModelId, frontier: ModelId }).partial().default({}),
      })
      .prefault({}),
  })
  .prefault({});
export type ProvidersConfig = z.infer<typeof ProvidersConfig>;
