import type { Logger } from '@forge/telemetry';

/**
 * Fire-and-forget protocol operations (acks, naks, batched core publishes, late unsubscribes)
 * held until the next turn of the event loop and then sent in one go, in the order queued.
 *
 * nats.js writes to the socket once per microtask checkpoint, so operations made from separate
 * continuations (a worker's status event after its commit, the edge's unsubscribe after it
 * answers, the consumer's ack after the handler resolves) would each cost a socket write (a
 * syscall that, on loopback, also pays for the server's receive). Sent from one callback they
 * share one. One outbox per connection: everything queued on it goes out together.
 */
export class Outbox {
  #queued: Array<() => void> = [];
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** Queues `send` for the next turn of the event loop. It must not throw for anything but a
   *  connection that is gone: that is logged, and the operation is lost (what it was for says
   *  how a loss is covered: redelivery for acks, a re-read for status events). */
  push(send: () => void): void {
    this.#queued.push(send);
    if (this.#queued.length === 1) setImmediate(() => this.flush());
  }

  /** Sends everything queued now (also on stop and drain). */
  flush(): void {
    const queued = this.#queued;
    if (queued.length === 0) return;
    this.#queued = [];
    for (const send of queued) {
      try {
        send();
      } catch (error) {
        this.#logger.warn({ err: String(error) }, 'could not send a queued operation to the server');
      }
    }
  }
}
