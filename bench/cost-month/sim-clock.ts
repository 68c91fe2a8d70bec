/**
 * The simulated month's clock, shared by the fake LLM server (its prompt cache and batches) and
 * the router's prompt cache planner, so a cache entry written at a run's scheduled minute expires
 * on the schedule's time, not on the seconds the bench takes. It only moves forward.
 */
export class SimClock {
  #base = Date.now();
  #now = this.#base;

  /** Starts a new month at the real time now. */
  restart(): void {
    this.#base = Date.now();
    this.#now = this.#base;
  }

  /** Moves to `minute` of the month (never back). */
  at(minute: number): void {
    this.#now = Math.max(this.#now, this.#base + Math.round(minute * 60_000));
  }

  readonly now = (): number => this.#now;
}
