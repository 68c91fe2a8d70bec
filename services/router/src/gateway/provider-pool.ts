import { ForgeError, type ModelId, type ProviderKind } from '@forge/contracts';
import {
  AnthropicBatches,
  AnthropicProvider,
  type BatchApi,
  type ModelProvider,
  OfflineProvider,
  OpenAIBatches,
  OpenAIProvider,
  type ProviderTransport,
} from '@forge/models';
import { type ModelCandidate, providerKey, type RoutingConfig, reachableProviders } from '@forge/policy';
import { readSecret } from './secrets.js';

const REDACTED = '[redacted]';

function transportOf(env: ProviderEnv): { transport?: ProviderTransport } {
  return env.transport ? { transport: env.transport } : {};
}

/** Where provider keys and endpoint overrides come from (the router's config). */
export interface ProviderEnv {
  secretsEnv: Readonly<Record<string, string | undefined>>;
  baseUrls: { anthropic?: string | undefined; openai?: string | undefined };
  /**
   * How the adapters speak to their vendors: `wire` (the default, the thin client) or `sdk` (the
   * vendor SDKs, kept for side-by-side benchmarks and as a fallback). Batch APIs use the SDKs.
   */
  transport?: ProviderTransport | undefined;
}

/** A candidate model made callable: the adapter and the vendor's own model name. */
export interface ResolvedModel {
  provider: ModelProvider;
  /** The vendor's model name (`claude-haiku-5.5`, `llama3`), without the `provider:` prefix. */
  vendorModel: string;
}

/**
 * The provider adapters one routing config can reach, built once per config (and again on
 * reload) by the one rule `forge route explain` applies too (`reachableProviders`, @forge/policy):
 * a vendor whose key variable is unset is absent, so its models are skipped; servers under
 * `openaiCompatible` are present unless they name a key variable that is unset; the offline
 * provider is always there. Keys are read here and handed to the SDKs, never kept elsewhere or
 * logged.
 */
export class ProviderPool {
  readonly #vendors = new Map<string, ModelProvider>();
  /** The vendors' batch APIs, with the same keys and endpoints as their adapters. */
  readonly #batches = new Map<'anthropic' | 'openai', BatchApi>();
  readonly #offline = new OfflineProvider();
  /** The keys handed to the SDKs, only to cut them out of what vendors answer (see `redact`). */
  readonly #secrets: string[] = [];

  private constructor() {}

  static build(config: RoutingConfig, env: ProviderEnv): ProviderPool {
    const pool = new ProviderPool();
    // Each key variable is read once (a `_FILE` is read from disk), whether to decide which
    // providers are there or to hand the key to its SDK.
    const keys = new Map<string, string | undefined>();
    const key = (name: string | undefined): string | undefined => {
      if (name === undefined) return undefined;
      if (!keys.has(name)) keys.set(name, readSecret(env.secretsEnv, name));
      return keys.get(name);
    };
    const { providers } = config;
    for (const name of reachableProviders(config, (envVar) => key(envVar) !== undefined)) {
      pool.#vendors.set(name, pool.#adapter(name, providers, env, key));
    }
    return pool;
  }

  /** The adapter for one reachable provider (a name `reachableProviders` gave), its key noted for `redact`. */
  #adapter(
    name: string,
    providers: RoutingConfig['providers'],
    env: ProviderEnv,
    key: (envVar: string | undefined) => string | undefined,
  ): ModelProvider {
    // A vendor is reachable only when its key is there, so `!` holds below.
    if (name === 'anthropic') {
      const apiKey = this.#noted(key(providers.anthropic.apiKeyEnv))!;
      const baseUrl = env.baseUrls.anthropic ?? providers.anthropic.baseUrl;
      const options = { apiKey, ...(baseUrl ? { baseUrl } : {}) };
      this.#batches.set('anthropic', new AnthropicBatches(options));
      return new AnthropicProvider({ ...options, ...transportOf(env) });
    }
    if (name === 'openai') {
      const apiKey = this.#noted(key(providers.openai.apiKeyEnv))!;
      const baseUrl = env.baseUrls.openai ?? providers.openai.baseUrl;
      const options = { apiKey, ...(baseUrl ? { baseUrl } : {}) };
      this.#batches.set('openai', new OpenAIBatches(options));
      return new OpenAIProvider({ kind: 'openai', ...options, ...transportOf(env) });
    }
    const server = name.slice('openai-compatible:'.length);
    const spec = providers.openaiCompatible[server];
    if (!spec) throw new ForgeError('BAD_CONFIG', `no openaiCompatible server ${server}`);
    const apiKey = this.#noted(key(spec.apiKeyEnv));
    return new OpenAIProvider({
      kind: 'openai-compatible',
      baseUrl: spec.baseUrl,
      ...(apiKey ? { apiKey } : {}),
      ...transportOf(env),
    });
  }

  /** Keeps `secret` for `redact` and hands it back. */
  #noted(secret: string | undefined): string | undefined {
    if (secret !== undefined) this.#secrets.push(secret);
    return secret;
  }

  /**
   * Cuts every provider key out of an error's message and stack, in place, and returns it. A
   * vendor's error body is copied into the SDK's message, and some vendors quote the key they
   * were sent (whole or in part); the message then travels into reply notes, ledger rows, spans
   * and logs, where a key must never appear. The `cause` chain is cleaned too (a proxy or an SDK
   * may wrap the error that quotes the key), as are the errors of an AggregateError.
   */
  redact<E extends Error>(error: E): E {
    this.#redactChain(error, new Set());
    return error;
  }

  #redactChain(error: Error, seen: Set<Error>): void {
    // Bounded and cycle-safe: a cause chain is short, but nothing stops one from looping.
    if (seen.has(error) || seen.size >= 16) return;
    seen.add(error);
    for (const secret of this.#secrets) {
      if (error.message.includes(secret)) error.message = error.message.replaceAll(secret, REDACTED);
      if (error.stack?.includes(secret)) error.stack = error.stack.replaceAll(secret, REDACTED);
    }
    const { cause } = error;
    if (cause instanceof Error) this.#redactChain(cause, seen);
    else if (typeof cause === 'string') {
      const clean = this.#secrets.reduce((text, secret) => text.replaceAll(secret, REDACTED), cause);
      if (clean !== cause) error.cause = clean;
    }
    if (error instanceof AggregateError) {
      for (const inner of error.errors) if (inner instanceof Error) this.#redactChain(inner, seen);
    }
  }

  /**
   * Closes every adapter's connections (each waits for its calls in flight): the pool was
   * replaced by a reload, or the router stops. Never throws.
   */
  async close(): Promise<void> {
    await Promise.all([...this.#vendors.values()].map((p) => p.close?.().catch(() => undefined)));
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
    return this.#vendors.has(providerKey(model, provider));
  }

  /** The adapter and vendor model name for a candidate; UNAVAILABLE if its provider is absent. */
  resolve(candidate: ModelCandidate): ResolvedModel {
    const name = candidate.model.slice(candidate.model.indexOf(':') + 1);
    if (candidate.provider === 'offline') return { provider: this.#offline, vendorModel: name };
    const provider = this.#vendors.get(providerKey(candidate.model, candidate.provider));
    if (!provider) {
      throw new ForgeError('UNAVAILABLE', `no provider configured for ${candidate.model}`, {
        retryable: false,
      });
    }
    const vendorModel = candidate.provider === 'openai-compatible' ? name.slice(name.indexOf('/') + 1) : name;
    return { provider, vendorModel };
  }
}
