/** The breaker settings of the routing config's `gateway.breaker`. */
export interface BreakerSettings {
  failureThreshold: number;
  windowMs: number;
  cooldownMs: number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

interface ModelBreaker {
  /** Times of failures within the window, oldest first. */
  failures: number[];
  openedAt: number | null;
  /** True while the one half-open probe is out. */
  probing: boolean;
}

/**
 * A circuit breaker per model, local to this replica. `failureThreshold` failures within
 * `windowMs` open it; while open, calls skip the model (the gateway falls back to the next); after
 * `cooldownMs` it is half-open and lets exactly one probe through: a success closes it, a failure
 * opens it again for another cool-down. Only provider-side failures count (429, 5xx, timeouts,
 * broken connections), never a bad request or a reply that fails its schema.
 */
export class CircuitBreakers {
  readonly #models = new Map<string, ModelBreaker>();
  readonly #now: () => number;
  #settings: BreakerSettings;

  constructor(settings: BreakerSettings, now: () => number = Date.now) {
    this.#settings = settings;
    this.#now = now;
  }

  /** New settings (a reloaded config) apply from the next call; states are kept. */
  configure(settings: BreakerSettings): void {
    this.#settings = settings;
  }

  state(model: string): BreakerState {
    const breaker = this.#models.get(model);
    if (!breaker || breaker.openedAt === null) return 'closed';
    return this.#now() - breaker.openedAt >= this.#settings.cooldownMs ? 'half-open' : 'open';
  }

  /**
   * May a call go to `model` now? Closed: yes. Open: no. Half-open: yes for the first caller (the
   * probe), no for the rest until the probe reports.
   */
  tryAcquire(model: string): boolean {
    const state = this.state(model);
    if (state === 'closed') return true;
    if (state === 'open') return false;
    const breaker = this.#models.get(model)!;
    if (breaker.probing) return false;
    breaker.probing = true;
    return true;
  }

  /** The call reached the model and it answered: closes the breaker. */
  onSuccess(model: string): void {
    this.#models.delete(model);
  }

  /** A provider-side failure: counts toward opening; a failed probe reopens at once. */
  onFailure(model: string): void {
    const now = this.#now();
    const breaker = this.#models.get(model) ?? { failures: [], openedAt: null, probing: false };
    this.#models.set(model, breaker);
    if (breaker.openedAt !== null) {
      breaker.openedAt = now;
      breaker.probing = false;
      return;
    }
    breaker.failures.push(now);
    const since = now - this.#settings.windowMs;
    while (breaker.failures.length > 0 && breaker.failures[0]! <= since) breaker.failures.shift();
    if (breaker.failures.length >= this.#settings.failureThreshold) {
      breaker.openedAt = now;
      breaker.failures = [];
    }
  }

  /** A probe that ended without telling either way (canceled): lets the next caller probe. */
  onAbandoned(model: string): void {
    const breaker = this.#models.get(model);
    if (breaker) breaker.probing = false;
  }
}
