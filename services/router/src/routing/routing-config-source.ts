import { ForgeError } from '@forge/contracts';
import {
  effectiveRoutingConfig,
  loadRoutingConfigFile,
  type RoutingConfig,
  zeroCostRoutingConfig,
} from '@forge/policy';
import type { Logger } from '@forge/telemetry';
import { type ProviderEnv, ProviderPool } from '../gateway/provider-pool.js';

/** How long a replaced provider pool stays usable before its connections close. */
const RETIRED_PROVIDERS_CLOSE_MS = 10 * 60_000;

/** One loaded routing config and the providers it reaches; replaced whole on reload. */
export interface RoutingState {
  readonly config: RoutingConfig;
  /**
   * The config as the providers at hand make it (@forge/policy `effectiveRoutingConfig`, the
   * rule `forge route explain` uses too): each tier lists only the models that can be called,
   * or its offline stand-in when none can. Routing decisions read this one, so a
   * decision names the model that will really answer, and a tier only offline can serve is $0
   * (never limited by a budget).
   */
  readonly effective: RoutingConfig;
  /**
   * `effective` narrowed, per tier that has any, to its $0 models: what a tier still offers
   * when a budget has no room. A decision the budget would refuse or downgrade is made again
   * on it, so a task is never blocked while a $0 model of its tier could answer.
   */
  readonly zeroCost: RoutingConfig;
  readonly providers: ProviderPool;
  readonly source: string;
  readonly loadedAt: Date;
}

const OFFLINE_BANNER =
  'NO MODEL KEYS ARE CONFIGURED: Forge runs OFFLINE. Every model call is answered by the built-in ' +
  'offline provider (deterministic, labelled offline, $0; the stand-in model list price is recorded as ' +
  'shadow cost). Critical skills end input-required. Set ANTHROPIC_API_KEY or OPENAI_API_KEY (or an ' +
  'OpenAI-compatible server in the routing config) to use real models.';

/**
 * The routing config the router runs with. `load` validates the file at start (BAD_CONFIG naming
 * the field and line: the service exits); `reload` (on SIGHUP) swaps in a new file only when it
 * is valid and its providers build, else keeps the old config and logs why. Readers take
 * `current` once per task or call, so a reload never changes a decision half-way.
 */
export class RoutingConfigSource {
  #state: RoutingState;
  readonly #path: string;
  readonly #env: ProviderEnv;
  readonly #logger: Logger;

  private constructor(state: RoutingState, path: string, env: ProviderEnv, logger: Logger) {
    this.#state = state;
    this.#path = path;
    this.#env = env;
    this.#logger = logger;
  }

  /** Loads and validates `path`, builds its providers, and says loudly when Forge runs offline. */
  static async load(path: string, env: ProviderEnv, logger: Logger): Promise<RoutingConfigSource> {
    const state = await build(path, env);
    const source = new RoutingConfigSource(state, path, env, logger);
    source.#announce(state);
    return source;
  }

  /** A source over an already-validated config (tests, embedded use); `reload` re-reads nothing. */
  static fixed(config: RoutingConfig, env: ProviderEnv, logger: Logger): RoutingConfigSource {
    const providers = ProviderPool.build(config, env);
    const effective = effectiveRoutingConfig(config, providers.available);
    const state = {
      config,
      effective,
      zeroCost: zeroCostRoutingConfig(effective),
      providers,
      source: '(fixed)',
      loadedAt: new Date(),
    };
    return new RoutingConfigSource(state, '', env, logger);
  }

  get current(): RoutingState {
    return this.#state;
  }

  /**
   * Re-reads the file. On success the new config applies to every later decision and call and
   * the result is true; on any error the old config stays, the reason is logged, and the result
   * is false. Never throws.
   */
  async reload(): Promise<boolean> {
    if (this.#path === '') return false;
    try {
      const state = await build(this.#path, this.#env);
      const previous = this.#state.config.version;
      const replaced = this.#state.providers;
      this.#state = state;
      // The old adapters' connections close later: a task took the old state before the swap
      // and may still call through it (a fallback, a retry) for a while.
      setTimeout(() => void replaced.close(), RETIRED_PROVIDERS_CLOSE_MS).unref();
      this.#logger.info(
        { from: previous, to: state.config.version, source: this.#path },
        'routing config reloaded',
      );
      this.#announce(state);
      return true;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#logger.error(
        { source: this.#path, keeping: this.#state.config.version, reason: message },
        'routing config reload refused; keeping the old config',
      );
      return false;
    }
  }

  /** Closes the current providers' connections (the router stops). */
  close(): Promise<void> {
    return this.#state.providers.close();
  }

  #announce(state: RoutingState): void {
    if (state.providers.offlineOnly) this.#logger.warn({ offline: true }, OFFLINE_BANNER);
    else
      this.#logger.info(
        { providers: state.providers.available, version: state.config.version },
        'model providers ready',
      );
  }
}

async function build(path: string, env: ProviderEnv): Promise<RoutingState> {
  const config = await loadRoutingConfigFile(path);
  let providers: ProviderPool;
  try {
    providers = ProviderPool.build(config, env);
  } catch (error) {
    throw ForgeError.from(error, 'BAD_CONFIG');
  }
  const effective = effectiveRoutingConfig(config, providers.available);
  return {
    config,
    effective,
    zeroCost: zeroCostRoutingConfig(effective),
    providers,
    source: path,
    loadedAt: new Date(),
  };
}
