import { randomUUID } from 'node:crypto';
import {
  type BudgetRepository,
  type Settlement,
  untilQueryDeadline,
  withoutQueryDeadline,
} from '@forge/store';

/** One scope a lease counts against, with its cap (`null`: tracked, not capped). */
export interface LeaseScope {
  scope: string;
  capMicros: number | null;
}

/**
 * A lease: one budget hold placed for many calls of one set of scopes, spent down in memory.
 * Postgres counts it at its full `granted` amount (as hold, then as spend while calls settle),
 * so every call admitted under it was admitted against the cap, across replicas, exactly as if
 * it had placed its own hold.
 */
export interface Lease {
  readonly id: string;
  readonly key: string;
  readonly granted: number;
  /** Maximum costs of the calls in flight plus the actual costs of those settled. */
  committed: number;
  inFlight: number;
  /** Local time after which no call may start under it: the hold's expiry, less margins. */
  readonly usableUntil: number;
  lastUsed: number;
  /** No new calls; released (its hold deleted) once its last call settles. */
  retired: boolean;
  released: boolean;
}

export interface LeaseOptions {
  /** A lease is sized for this many calls like the one that asks for it. Default 32. */
  callsPerLease?: number;
  /** ...and never above the tightest cap divided by this (so few leases strand little). Default 20. */
  capShare?: number;
  /** A lease unused this long is released. Default 2000 ms. */
  idleMs?: number;
  /** After Postgres refused a lease, calls of that scope set reserve one by one this long. Default 1000 ms. */
  refusedBackoffMs?: number;
}

/** Margin between the hold's expiry in Postgres and the last moment a call may start under it. */
const EXPIRY_MARGIN_MS = 5_000;

/**
 * The leases of one router replica, by scope set. `tryLocal` is the hot path: a call whose
 * maximum cost fits in its scope set's current lease is admitted in memory, with no round trip;
 * when a lease is half spent, the next one is asked for in the background, so calls rarely wait
 * for Postgres. When no lease can be had (a cap too small to share, or one nearly reached), the
 * gateway reserves call by call as before. Trade-off: a live replica's unused lease money is
 * unavailable to the others until it idles out (`idleMs`) or is spent; a dead replica's until
 * its hold expires. Both err on the side of never over-spending a cap.
 */
export class BudgetLeases {
  readonly #budgets: BudgetRepository;
  readonly #settle: (s: Settlement) => void;
  readonly #opts: Required<LeaseOptions>;
  readonly #current = new Map<string, Lease>();
  readonly #pending = new Map<string, Promise<boolean>>();
  readonly #refusedUntil = new Map<string, number>();
  /** Retired leases with calls still in flight. */
  readonly #draining = new Set<Lease>();
  readonly #timer: NodeJS.Timeout;
  #closed = false;

  constructor(budgets: BudgetRepository, settle: (s: Settlement) => void, options: LeaseOptions = {}) {
    this.#budgets = budgets;
    this.#settle = settle;
    this.#opts = {
      callsPerLease: options.callsPerLease ?? 32,
      capShare: options.capShare ?? 20,
      idleMs: options.idleMs ?? 2_000,
      refusedBackoffMs: options.refusedBackoffMs ?? 1_000,
    };
    this.#timer = setInterval(() => this.sweep(), Math.max(50, Math.floor(this.#opts.idleMs / 2)));
    this.#timer.unref();
  }

  /** The lease size for a call of `amount` against `scopes`, or null when the caps are too small to share. */
  sizeFor(amount: number, scopes: readonly LeaseScope[]): number | null {
    let size = amount * this.#opts.callsPerLease;
    for (const { capMicros } of scopes) {
      if (capMicros !== null) size = Math.min(size, Math.floor(capMicros / this.#opts.capShare));
    }
    return size >= 2 * amount ? size : null;
  }

  /** Admits a call in memory when its key's lease has room and outlives it; no I/O. */
  tryLocal(key: string, amount: number, holdMs: number, now = Date.now()): Lease | undefined {
    const lease = this.#current.get(key);
    if (!lease) return undefined;
    if (now + holdMs > lease.usableUntil) {
      this.#retire(lease);
      return undefined;
    }
    if (lease.granted - lease.committed < amount) return undefined;
    lease.committed += amount;
    lease.inFlight += 1;
    lease.lastUsed = now;
    return lease;
  }

  /** True when a lease for `key` was refused a moment ago: reserve call by call meanwhile. */
  refusedRecently(key: string, now = Date.now()): boolean {
    const until = this.#refusedUntil.get(key);
    return until !== undefined && until > now;
  }

  /** Whether the key's lease is half spent (and no refill is on its way): time to ask for the next. */
  wantsRefill(key: string): boolean {
    const lease = this.#current.get(key);
    return (
      lease !== undefined &&
      !this.#pending.has(key) &&
      !this.refusedRecently(key) &&
      lease.granted - lease.committed < lease.granted / 2
    );
  }

  /**
   * Places a lease of `size` (one round trip) and makes it the key's current one; concurrent
   * asks for one key share a single round trip (a burst of calls places one lease, not one
   * each). Resolves false when Postgres refused it (no room for a whole lease): the key then
   * reserves call by call for `refusedBackoffMs`. Callers admit with `tryLocal` afterwards.
   *
   * The placement is shared work, so it runs under no caller's query deadline (one call's short
   * deadline never fails the others waiting on it, and a refill asked for by a call already past
   * its deadline still runs); each caller waits for it no longer than its own deadline
   * (OVERLOADED past it, for that caller alone).
   */
  obtain(
    key: string,
    request: { period: string; scopes: LeaseScope[]; size: number; ttlMs: number },
  ): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    let pending = this.#pending.get(key);
    if (!pending) {
      pending = withoutQueryDeadline(() => this.#place(key, request)).finally(() =>
        this.#pending.delete(key),
      );
      this.#pending.set(key, pending);
    }
    return untilQueryDeadline(pending);
  }

  async #place(
    key: string,
    request: { period: string; scopes: LeaseScope[]; size: number; ttlMs: number },
  ): Promise<boolean> {
    const id = randomUUID();
    const asked = Date.now();
    const result = await this.#budgets.admit({
      reservationId: id,
      period: request.period,
      scopes: request.scopes,
      amountMicros: request.size,
      ttlMs: request.ttlMs,
    });
    if (!result.admitted) {
      this.#refusedUntil.set(key, Date.now() + this.#opts.refusedBackoffMs);
      return false;
    }
    if (this.#closed) {
      // Placed while the router was stopping: give it back at once.
      this.#settle({ reservationId: id, actualMicros: 0 });
      return false;
    }
    const lease: Lease = {
      id,
      key,
      granted: request.size,
      committed: 0,
      inFlight: 0,
      usableUntil: asked + request.ttlMs - EXPIRY_MARGIN_MS,
      lastUsed: Date.now(),
      retired: false,
      released: false,
    };
    const previous = this.#current.get(key);
    this.#current.set(key, lease);
    if (previous) this.#retire(previous);
    return true;
  }

  /**
   * A call under `lease` ended: its actual cost is consumed from the hold (write-behind), once
   * per `consumeId` (the call's own id), so a replayed write never counts it twice.
   */
  settle(lease: Lease, amount: number, actual: number, consumeId: string): void {
    lease.committed += actual - amount;
    lease.inFlight -= 1;
    this.#settle({ reservationId: lease.id, actualMicros: actual, keep: true, consumeId });
    if (lease.retired && lease.inFlight === 0) this.#release(lease);
  }

  /** Retires leases idle for `idleMs`; releases retired ones whose calls have all settled. */
  sweep(now = Date.now()): void {
    for (const lease of this.#current.values()) {
      if (now - lease.lastUsed >= this.#opts.idleMs || now >= lease.usableUntil) this.#retire(lease);
    }
    for (const lease of this.#draining) if (lease.inFlight === 0) this.#release(lease);
    for (const [key, until] of this.#refusedUntil) if (until <= now) this.#refusedUntil.delete(key);
  }

  /** Live leases (current and draining), for tests and stats. */
  get size(): number {
    return this.#current.size + this.#draining.size;
  }

  /** Retires every lease and releases those without calls in flight (stop, after the calls ended). */
  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    for (const lease of [...this.#current.values()]) this.#retire(lease);
    for (const lease of [...this.#draining]) if (lease.inFlight === 0) this.#release(lease);
  }

  #retire(lease: Lease): void {
    if (this.#current.get(lease.key) === lease) this.#current.delete(lease.key);
    if (lease.retired) return;
    lease.retired = true;
    if (lease.inFlight === 0) this.#release(lease);
    else this.#draining.add(lease);
  }

  /** Deletes the hold: what its calls consumed stays as spend, the rest is free again. */
  #release(lease: Lease): void {
    this.#draining.delete(lease);
    if (lease.released) return;
    lease.released = true;
    this.#settle({ reservationId: lease.id, actualMicros: 0 });
  }
}
