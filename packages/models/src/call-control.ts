import { DEFAULT_TIMEOUT_MS, type ProviderCallOptions } from './provider.js';

/**
 * The abort signal handed to an SDK for one call: it fires when the caller aborts or when the
 * timer runs out, and remembers which, because the SDKs report both the same way (and end a
 * stream silently on abort).
 */
export class CallControl {
  readonly #controller = new AbortController();
  readonly #timeoutMs: number;
  readonly #callerSignal: AbortSignal | undefined;
  readonly #onCallerAbort = () => this.#controller.abort();
  #timer: NodeJS.Timeout | undefined;
  #timedOut = false;

  constructor(options: ProviderCallOptions = {}) {
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#callerSignal = options.signal;
    if (this.#callerSignal?.aborted) this.#controller.abort();
    else this.#callerSignal?.addEventListener('abort', this.#onCallerAbort, { once: true });
    this.restartTimer();
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get timeoutMs(): number {
    return this.#timeoutMs;
  }

  /** True when the timer, not the caller, ended the call. */
  get timedOut(): boolean {
    return this.#timedOut;
  }

  /** True when the caller's signal ended the call. */
  get callerAborted(): boolean {
    return !this.#timedOut && this.#callerSignal?.aborted === true;
  }

  /** Starts the timer again: a stream calls it on every event, so the timeout bounds silence. */
  restartTimer(): void {
    if (this.#controller.signal.aborted) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timedOut = true;
      this.#controller.abort();
    }, this.#timeoutMs);
  }

  /** Stops the timer while the consumer holds an event: the timeout measures the vendor's silence, not ours. */
  pauseTimer(): void {
    clearTimeout(this.#timer);
  }

  /** Stops the timer and lets go of the caller's signal; call once the call is over. */
  dispose(): void {
    clearTimeout(this.#timer);
    this.#callerSignal?.removeEventListener('abort', this.#onCallerAbort);
  }
}
