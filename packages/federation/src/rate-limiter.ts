/** What a rate check answers: allowed, or how long until the next call would be. */
export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Token buckets, one per key (a partner): `perMinute` tokens a minute, refilled continuously, at
 * most `burst` saved up. In-process: each gateway replica counts on its own, so a partner's limit
 * across N replicas is up to N times the configured rate (documented in the gateway's README).
 */
export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  take(key: string, limit: { perMinute: number; burst?: number | undefined }): RateDecision {
    const capacity = limit.burst ?? Math.max(1, Math.ceil(limit.perMinute / 60));
    const perMs = limit.perMinute / 60_000;
    const now = this.#now();
    const bucket = this.#buckets.get(key) ?? { tokens: capacity, at: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + (now - bucket.at) * perMs);
    bucket.at = now;
    this.#buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000)) };
  }
}
