import { ForgeError } from '@forge/contracts';

/**
 * A circuit breaker per partner: after `failures` failures in a row it opens and refuses calls
 * at once (UNAVAILABLE with the wait) for `openMs`; then one trial call goes through (half-open):
 * its success closes the circuit, its failure opens it again.
 */
export class CircuitBreaker {
  readonly #failures: number;
  readonly #openMs: number;
  readonly #now: () => number;
  #streak = 0;
  #openedAt: number | null = null;
  #trial = false;

  constructor(options: { failures: number; openMs: number }, now: () => number = Date.now) {
    this.#failures = options.failures;
    this.#openMs = options.openMs;
    this.#now = now;
  }

  get state(): 'closed' | 'open' | 'half-open' {
    if (this.#openedAt === null) return 'closed';
    return this.#now() - this.#openedAt >= this.#openMs ? 'half-open' : 'open';
  }

  /** Throws UNAVAILABLE while open (or while the half-open trial runs); otherwise admits the call. */
  admit(what: string): void {
    const state = this.state;
    if (state === 'closed') return;
    if (state === 'half-open' && !this.#trial) {
      this.#trial = true;
      return;
    }
    const waitMs = this.#openMs - (this.#now() - (this.#openedAt ?? 0));
    throw new ForgeError('UNAVAILABLE', `${what}: the circuit is open after repeated failures`, {
      details: { retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) },
    });
  }

  success(): void {
    this.#streak = 0;
    this.#openedAt = null;
    this.#trial = false;
  }

  failure(): void {
    this.#streak += 1;
    this.#trial = false;
    if (this.#openedAt !== null || this.#streak >= this.#failures) this.#openedAt = this.#now();
  }
}
