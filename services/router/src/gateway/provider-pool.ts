import { ForgeError, type ModelId, type ProviderKind } from '@forge/contracts';
import {
  AnthropicBatches,
  AnthropicProvider,
  type BatchApi,
  type ModelProvider,
  OfflineProvider,
  OpenAIBatches,
  OpenAIProvider,
} from '@forge/models';
import { type ModelCandidate, providerOf, type RoutingConfig } from '@forge/policy';
import { readSecret } from './secrets.js';

const REDACTED = '[redacted]';

/** Where provider keys and endpoint overrides come from (the router's config). */
export interface ProviderEnv {
  secretsEnv: Readonly<Record<string, string | undefined>>;
  baseUrls: { anthropic?: string | undefined; openai?: string | undefined };
}

/** A candidate model made callable: the adapter and the vendor's own model name. */
export interface ResolvedModel {
  provider: ModelProvider;
  /** The vendor's model name (`claude-haiku-5.5`, `llama3`), without the `provider:` prefix. */
  vendorModel: string;
}

/**
 * The provider adapters one routing config can reach, built once per config (and again on
 * reload): a vendor whose key variable is unset is absent, so its models are skipped; servers
 * under `openaiCompatible` are present unless they name a key variable that is unset; the
 * offline provider is always there. Keys are read here and handed to the SDKs, never kept
 * elsewhere or logged.
 */
export class ProviderPool {
  readonly #vendors = new Map<string, ModelProvider>();
  readonly #batches = new Map<'anthropic' | 'openai', BatchApi>();
  readonly #offline = new OfflineProvider();
  /** The keys handed to the SDKs, only to cut them out of what vendors answer (see `redact`). */
  readonly #secrets: string[] = [];

  private constructor() {}

  static build(config: RoutingConfig, env: ProviderEnv): ProviderPool {
    const pool = new ProviderPool();
    const anthropicKey = readSecret(env.secretsEnv, config.providers.anthropic.apiKeyEnv);
    if (anthropicKey !== undefined) {
      pool.#secrets.push(anthropicKey);
      const baseUrl = env.baseUrls.anthropic ?? config.providers.anthropic.baseUrl;
      const options = { apiKey: anthropicKey, ...(baseUrl ? { baseUrl } : {}) };
      pool.#vendors.set('anthropic', new AnthropicProvider(options));
      pool.#batches.set('anthropic', new AnthropicBatches(options));
    }
    const openaiKey = readSecret(env.secretsEnv, config.providers.openai.apiKeyEnv);
    if (openaiKey !== undefined) {
      pool.#secrets.push(openaiKey);
      const baseUrl = env.baseUrls.openai ?? config.providers.openai.baseUrl;
      const options = { apiKey: openaiKey, ...(baseUrl ? { baseUrl } : {}) };
      pool.#vendors.set('openai', new OpenAIProvider({ kind: 'openai', ...options }));
      pool.#batches.set('openai', new OpenAIBatches(options));
    }
    for (const [server, spec] of Object.entries(config.providers.openaiCompatible)) {
      const key = spec.apiKeyEnv === undefined ? undefined : readSecret(env.secretsEnv, spec.apiKeyEnv);
      if (spec.apiKeyEnv !== undefined && key === undefined) continue;
      if (key !== undefined) pool.#secrets.push(key);
      pool.#vendors.set(
        `openai-compatible:${server}`,
        new OpenAIProvider({
          kind: 'openai-compatible',
          baseUrl: spec.baseUrl,
          ...(key ? { apiKey: key } : {}),
        }),
      );
    }
    return pool;
  }

  /**
   * Cuts every provider key out of an error's message and stack, in place, and returns it. A
   * vendor's error body is copied into the SDK's message, and some vendors quote the key they
   * were sent (whole or in part); the message then travels into reply notes, ledger rows, spans
   * and logs, where a key must never appear.
   */
  redact<E extends Error>(error: E): E {
    for (const secret of this.#secrets) {
      if (error.message.includes(secret)) error.message = error.message.replaceAll(secret, REDACTED);
      if (error.stack?.includes(secret)) error.stack = error.stack.replaceAll(secret, REDACTED);
    }
    return error;
  }

  /** The vendor's batch API, when the vendor has a key (OpenAI-compatible servers have none). */
  batchApi(provider: ProviderKind): BatchApi | undefined {
    return provider === 'anthropic' || provider === 'openai' ? this.#batches.get(provider) : undefined;
  }

  /** True when no real provider is reachable: every call is answered offline. */
  get offlineOnly(): boolean {
    return this.#vendors.size === 0;
  }

  /** The reachable providers by name (`anthropic`, `openai-compatible:local`), for start-up logs. */
  get available(): string[] {
    return [...this.#vendors.keys()];
  }

  /** Whether `model` can be called: its vendor has a key, or its compatible server is configured. */
  isAvailable(model: ModelId, provider: ProviderKind): boolean {
    if (provider === 'offline') return true;
    return this.#vendors.has(vendorKey(model, provider));
  }

  /** The adapter and vendor model name for a candidate; UNAVAILABLE if its provider is absent. */
  resolve(candidate: ModelCandidate): ResolvedModel {
    const name = candidate.model.slice(candidate.model.indexOf(':') + 1);
    if (candidate.provider === 'offline') return { provider: this.#offline, vendorModel: name };
    const provider = this.#vendors.get(vendorKey(candidate.model, candidate.provider));
    if (!provider) {
      throw new ForgeError('UNAVAILABLE', `no provider configured for ${candidate.model}`, {
        retryable: false,
      });
    }
    const vendorModel = candidate.provider === 'openai-compatible' ? name.slice(name.indexOf('/') + 1) : name;
    return { provider, vendorModel };
  }
}

function vendorKey(model: ModelId, provider: ProviderKind = providerOf(model)): string {
  if (provider !== 'openai-compatible') return provider;
  const name = model.slice(model.indexOf(':') + 1);
  return `openai-compatible:${name.slice(0, name.indexOf('/'))}`;
}
