import type { Logger } from '@forge/telemetry';
import type { Consumer, ConsumerMessages, JsMsg } from '@nats-io/jetstream';

/**
 * How long one pull request waits on the server for messages; past it a new one is made. The
 * server sends idle heartbeats every half of this; two missed ones end the request with an error.
 */
export const PULL_EXPIRES_MS = 30_000;
const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 5_000;

export interface PullGateOptions {
  consumer: Consumer;
  /** Most messages held at once (running or about to run). */
  capacity: number;
  /** Messages the owner holds now; a slot frees when this drops. */
  used(): number;
  onMessage(msg: JsMsg): void;
  onError(error: unknown): void;
  logger: Logger;
}

/**
 * Asks JetStream for exactly as many messages as there are free slots, so nothing waits in a
 * client buffer with its ack timer running.
 *
 * Why not `consume()`: its iterator refills when messages *arrive*, not when they finish, so with
 * busy handlers it keeps up to `max_messages` more delivered-but-unstarted messages whose ack wait
 * runs out while they wait. Here each free slot is one requested message: a fetch for `free`
 * messages is issued whenever slots free up (coalesced per event-loop turn), several fetches may
 * be open at once, and `requested + used() <= capacity` always holds.
 *
 * Failures (missed heartbeats, a deleted consumer, no JetStream yet) end a fetch with an error;
 * its unfilled slots are released and pulling resumes after a growing delay (0.1 s to 5 s). After
 * a reconnect the owner calls `renew()`: open fetches are ended and new ones made. (nats.js would
 * re-check the consumer itself, but waits up to 30 s between checks while a restarted server's
 * JetStream is still starting.) A pull request whose inbox is gone gets nothing: the server skips
 * requests without interest (seen on 2.9.10), so no message is sent into the void.
 */
export class PullGate {
  readonly #opts: PullGateOptions;
  readonly #open = new Set<ConsumerMessages>();
  /** Messages asked for in open fetches and not received yet. */
  #requested = 0;
  #scheduled = false;
  #closed = false;
  #retry: NodeJS.Timeout | undefined;
  #failures = 0;

  constructor(opts: PullGateOptions) {
    this.#opts = opts;
  }

  /** Fills free slots on the next turn of the event loop (so a burst of finished handlers makes one request). */
  pump(): void {
    if (this.#scheduled || this.#closed) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#fill();
    });
  }

  /** Ends the open pull requests and asks again for every free slot (after a reconnect). */
  renew(): void {
    if (this.#closed) return;
    this.#opts.logger.debug({ open: this.#open.size, requested: this.#requested }, 'renewing pull requests');
    for (const messages of this.#open) void messages.close();
    clearTimeout(this.#retry);
    this.#retry = undefined;
    this.#failures = 0;
    this.pump();
  }

  /** Stops asking for messages and ends open pull requests. Messages already on their way are still handed over. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#retry);
    for (const messages of this.#open) void messages.close();
  }

  #fill(): void {
    if (this.#closed || this.#retry) return;
    const free = this.#opts.capacity - this.#opts.used() - this.#requested;
    if (free <= 0) return;
    // While a request is still open, wait for a few free slots before asking again: one pull per
    // finished handler would cost a subscription and a request per message.
    if (this.#requested > 0 && free < Math.max(1, Math.floor(this.#opts.capacity / 4))) return;
    this.#requested += free;
    this.#opts.logger.debug({ batch: free }, 'pulling');
    void this.#fetch(free);
  }

  async #fetch(batch: number): Promise<void> {
    let received = 0;
    let messages: ConsumerMessages | undefined;
    let failed = false;
    try {
      messages = await this.#opts.consumer.fetch({ max_messages: batch, expires: PULL_EXPIRES_MS });
      this.#open.add(messages);
      for await (const msg of messages) {
        received++;
        this.#requested--;
        this.#opts.onMessage(msg);
        if (received >= batch) break;
      }
    } catch (error) {
      failed = true;
      if (!this.#closed) this.#opts.onError(error);
    } finally {
      if (messages) this.#open.delete(messages);
      this.#requested -= batch - received;
    }
    this.#opts.logger.debug({ batch, received, failed }, 'pull request ended');
    if (failed) this.#backOff();
    else this.#failures = 0;
    this.pump();
  }

  #backOff(): void {
    if (this.#closed || this.#retry) return;
    this.#failures++;
    const delay = Math.min(RETRY_FIRST_MS * 2 ** (this.#failures - 1), RETRY_MAX_MS);
    this.#opts.logger.debug({ delayMs: delay, failures: this.#failures }, 'pull retry scheduled');
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.#fill();
    }, delay);
  }
}
