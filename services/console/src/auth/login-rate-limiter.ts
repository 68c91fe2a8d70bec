/**
 * Login attempts per client (its address) in a sliding minute, in this process's memory: a burst
 * of guesses from one client is refused before any password is checked. The lock per operator
 * name (after repeated failures) is in Postgres, shared by every replica.
 */
export class LoginRateLimiter {
  readonly #perMinute: number;
  readonly #attempts = new Map<string, number[]>();

  constructor(perMinute: number) {
    this.#perMinute = perMinute;
  }

  /** Counts an attempt of `client` at `now` and says whether it may go on. */
  allow(client: string, now: number): boolean {
    const since = now - 60_000;
    const recent = (this.#attempts.get(client) ?? []).filter((at) => at > since);
    const allowed = recent.length < this.#perMinute;
    if (allowed) recent.push(now);
    this.#attempts.set(client, recent);
    if (this.#attempts.size > 10_000) this.#prune(since);
    return allowed;
  }

  /** When `client` may try again (ms since epoch), given it was refused at `now`. */
  retryAt(client: string, now: number): number {
    const recent = this.#attempts.get(client) ?? [];
    return (recent[0] ?? now) + 60_000;
  }

  #prune(since: number): void {
    for (const [client, times] of this.#attempts) {
      if (times.every((at) => at <= since)) this.#attempts.delete(client);
    }
  }
}
