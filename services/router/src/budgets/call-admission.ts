import { ForgeError } from '@forge/contracts';

/** Which edge a call came in by (a metric attribute). */
export type CallEdge = 'http' | 'nats';

/** Why a call was not let in: the queue was full, or it could not start in time to finish. */
export type OverloadReason = 'queue_full' | 'deadline';

export interface CallAdmissionOptions {
  /** Calls running at once, over both edges. */
  maxInFlight: number;
  /** Calls waiting for a slot; one more is refused at once. 0: no queue. */
  maxQueued: number;
  /** Epoch ms; `Date.now` by default. */
  clock?: () => number;
  /** Told of every refusal (metrics). */
  onRefused?: (edge: CallEdge, reason: OverloadReason) => void;
}

/** A slot held by one call; release it exactly once when the call has ended (later calls are no-ops). */
export interface CallPermit {
  release(): void;
}

interface Waiter {
  readonly deadline: number;
  readonly edge: CallEdge;
  readonly enqueuedAt: number;
  readonly grant: (permit: CallPermit) => void;
  readonly refuse: (error: ForgeError) => void;
  readonly cleanup: () => void;
}

/** Weight of the latest call in the running estimate of how long a call holds its slot. */
const SERVICE_WEIGHT = 0.2;
const MAX_RETRY_AFTER_S = 30;

/**
 * Admission control at the router's edges, over both the HTTP endpoint and the NATS model
 * gateway: at most `maxInFlight` calls run at once (so they never ask the Postgres pool for more
 * than it holds, and the provider connections stay bounded); up to `maxQueued` more wait, first
 * come first served. A waiter gives up at its call's own deadline; a slot is never handed to a
 * waiter whose time left is below the recent calls' typical duration (it could not finish, so its
 * work is not started); a call that finds the queue full is refused at once. Every refusal is a
 * retryable `OVERLOADED` ForgeError whose message names the reason and whose
 * `details.retryAfterSeconds` estimates when a slot frees. A caller that leaves (its `signal`
 * aborts) leaves the queue, answered CANCELED.
 *
 * A call that finds a free slot starts whatever its deadline (only a deadline already past is
 * refused): with nobody waiting, starting it costs no other call anything.
 */
export class CallAdmission {
  readonly #max: number;
  readonly #maxQueued: number;
  readonly #clock: () => number;
  readonly #onRefused: ((edge: CallEdge, reason: OverloadReason) => void) | undefined;
  readonly #queue: Waiter[] = [];
  #inFlight = 0;
  /** Exponentially weighted mean of how long admitted calls held their slot, ms (0: none yet). */
  #serviceMs = 0;
  #refused = { queue_full: 0, deadline: 0 };
  #admitted = 0;
  #closed = false;

  constructor(options: CallAdmissionOptions) {
    if (!Number.isInteger(options.maxInFlight) || options.maxInFlight < 1)
      throw new ForgeError(
        'BAD_CONFIG',
        `maxInFlight: must be a positive integer, got ${options.maxInFlight}`,
      );
    if (!Number.isInteger(options.maxQueued) || options.maxQueued < 0)
      throw new ForgeError(
        'BAD_CONFIG',
        `maxQueued: must be a non-negative integer, got ${options.maxQueued}`,
      );
    this.#max = options.maxInFlight;
    this.#maxQueued = options.maxQueued;
    this.#clock = options.clock ?? Date.now;
    this.#onRefused = options.onRefused;
  }

  /** Calls running now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Calls waiting for a slot now. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Counts since start: calls let in, and refusals by reason. */
  get counts(): { admitted: number; refused: { queue_full: number; deadline: number } } {
    return { admitted: this.#admitted, refused: { ...this.#refused } };
  }

  /** The limits this admission runs with. */
  get limits(): { maxInFlight: number; maxQueued: number } {
    return { maxInFlight: this.#max, maxQueued: this.#maxQueued };
  }

  /**
   * Stops letting calls in, for shutdown: every call still queued is refused at once, and every
   * later `acquire`, with a retryable OVERLOADED whose `details.reason` is `stopping` (never
   * started: the caller asks again, the same call, and another replica takes it).
   * Calls already running keep their slots until they release them. Safe to call twice.
   */
  close(): void {
    this.#closed = true;
    for (const waiter of this.#queue.splice(0)) {
      waiter.cleanup();
      waiter.refuse(stopping());
    }
  }

  /**
   * A slot for one call that must end by `deadline` (epoch ms). Resolves with the permit, or
   * rejects OVERLOADED (queue full; deadline passed or too close while queued), CANCELED (the
   * signal aborted while queued; OVERLOADED with reason `stopping` once the router stops: see `close`).
   */
  acquire(deadline: number, edge: CallEdge, signal?: AbortSignal): Promise<CallPermit> {
    const now = this.#clock();
    if (signal?.aborted) return Promise.reject(canceled());
    if (this.#closed) return Promise.reject(stopping());
    if (deadline <= now)
      return Promise.reject(this.#refuse(edge, 'deadline', 'its deadline had already passed'));
    if (this.#inFlight < this.#max && this.#queue.length === 0) return Promise.resolve(this.#grant(now));
    if (this.#queue.length >= this.#maxQueued) {
      return Promise.reject(
        this.#refuse(
          edge,
          'queue_full',
          `${this.#inFlight} calls running and ${this.#queue.length} waiting, the most this router takes`,
        ),
      );
    }
    if (this.#serviceMs > 0 && deadline - now < this.#serviceMs) {
      return Promise.reject(
        this.#refuse(
          edge,
          'deadline',
          `it has ${deadline - now} ms left and calls here take about ${Math.round(this.#serviceMs)} ms, behind ${this.#queue.length} waiting`,
        ),
      );
    }
    return new Promise<CallPermit>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => {
        if (this.#remove(waiter)) reject(canceled());
      };
      const waiter: Waiter = {
        deadline,
        edge,
        enqueuedAt: now,
        grant: resolve,
        refuse: reject,
        cleanup: () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
        },
      };
      timer = setTimeout(
        () => {
          if (!this.#remove(waiter)) return;
          reject(
            this.#refuse(
              edge,
              'deadline',
              `its deadline passed after ${this.#clock() - now} ms waiting for one of ${this.#max} slots`,
            ),
          );
        },
        Math.max(0, deadline - now),
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(waiter);
    });
  }

  #grant(now: number): CallPermit {
    this.#inFlight += 1;
    this.#admitted += 1;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.#inFlight -= 1;
        const held = this.#clock() - now;
        this.#serviceMs =
          this.#serviceMs === 0 ? held : this.#serviceMs + SERVICE_WEIGHT * (held - this.#serviceMs);
        this.#dispatch();
      },
    };
  }

  /** Hands free slots to waiters in order, refusing those left without time to finish. */
  #dispatch(): void {
    while (this.#inFlight < this.#max && this.#queue.length > 0) {
      const waiter = this.#queue.shift() as Waiter;
      waiter.cleanup();
      const now = this.#clock();
      const left = waiter.deadline - now;
      if (left <= 0 || left < this.#serviceMs) {
        waiter.refuse(
          this.#refuse(
            waiter.edge,
            'deadline',
            `after ${now - waiter.enqueuedAt} ms waiting it had ${Math.max(0, left)} ms left and calls here take about ${Math.round(this.#serviceMs)} ms`,
          ),
        );
        continue;
      }
      waiter.grant(this.#grant(now));
    }
  }

  #remove(waiter: Waiter): boolean {
    const at = this.#queue.indexOf(waiter);
    if (at < 0) return false;
    this.#queue.splice(at, 1);
    waiter.cleanup();
    return true;
  }

  #refuse(edge: CallEdge, reason: OverloadReason, why: string): ForgeError {
    this.#refused[reason] += 1;
    this.#onRefused?.(edge, reason);
    const what = reason === 'queue_full' ? 'admission queue full' : 'could not finish before its deadline';
    return new ForgeError('OVERLOADED', `router overloaded (${what}): the call was not started; ${why}`, {
      retryable: true,
      details: { reason, retryAfterSeconds: this.#retryAfterSeconds() },
    });
  }

  /** When a slot should be free for one more call: the queue ahead drained at the recent pace. */
  #retryAfterSeconds(): number {
    const ms = this.#serviceMs * ((this.#queue.length + 1) / this.#max);
    return Math.min(MAX_RETRY_AFTER_S, Math.max(1, Math.ceil(ms / 1000)));
  }
}

/**
 * The refusal of a router that is stopping: OVERLOADED (the code every "not started, ask again"
 * refusal has, which callers re-ask under the same call number), reason `stopping`.
 */
function stopping(): ForgeError {
  return new ForgeError('OVERLOADED', 'the router is stopping: the call was not started; ask again', {
    retryable: true,
    details: { reason: 'stopping', retryAfterSeconds: 1 },
  });
}

function canceled(): ForgeError {
  return new ForgeError('CANCELED', 'the caller left while the call waited for admission', {
    retryable: false,
  });
}
