/**
 * The signal handed to a provider for one attempt: it aborts when the caller's signal does, or,
 * when `afterMs` is given, once that much time has passed; `passed` says which, because a
 * provider reports both as the caller aborting.
 */
export class DeadlineSignal {
  readonly #controller = new AbortController();
  readonly #caller: AbortSignal | undefined;
  readonly #onCaller = () => this.#controller.abort();
  readonly #timer: NodeJS.Timeout | undefined;
  #passed = false;

  constructor(caller: AbortSignal | undefined, afterMs: number | undefined) {
    this.#caller = caller;
    if (caller?.aborted) this.#controller.abort();
    else caller?.addEventListener('abort', this.#onCaller, { once: true });
    if (afterMs !== undefined) {
      this.#timer = setTimeout(() => {
        this.#passed = true;
        this.#controller.abort();
      }, afterMs);
    }
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** True when the time ran out (not the caller) and ended the call. */
  get passed(): boolean {
    return this.#passed;
  }

  /** Stops the timer and lets go of the caller's signal; call once the attempt is over. */
  dispose(): void {
    clearTimeout(this.#timer);
    this.#caller?.removeEventListener('abort', this.#onCaller);
  }
}
