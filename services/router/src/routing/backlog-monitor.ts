import type { Logger } from '@forge/telemetry';
import { type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

/**
 * The router's backlog, read from its durable consumer every `intervalMs` (pending plus
 * delivered-but-unacked messages), so the `pendingTasksAbove` rules read a number without a
 * request per decision. Unknown until the first read succeeds; a failed read keeps the last value.
 */
export class BacklogMonitor {
  readonly #nc: NatsConnection;
  readonly #stream: string;
  readonly #durable: string;
  readonly #intervalMs: number;
  readonly #logger: Logger;
  #jsm: JetStreamManager | undefined;
  #pending: number | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(opts: {
    nc: NatsConnection;
    stream: string;
    durable: string;
    intervalMs?: number;
    logger: Logger;
  }) {
    this.#nc = opts.nc;
    this.#stream = opts.stream;
    this.#durable = opts.durable;
    this.#intervalMs = opts.intervalMs ?? 2_000;
    this.#logger = opts.logger;
  }

  /** Tasks waiting for a routing decision, or undefined when not known yet. */
  get pending(): number | undefined {
    return this.#pending;
  }

  async start(): Promise<void> {
    await this.#read();
    this.#timer = setInterval(() => void this.#read(), this.#intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #read(): Promise<void> {
    try {
      this.#jsm ??= await jetstreamManager(this.#nc);
      const info = await this.#jsm.consumers.info(this.#stream, this.#durable);
      this.#pending = info.num_pending + info.num_ack_pending;
    } catch (error) {
      this.#logger.debug({ err: String(error) }, 'backlog read failed');
    }
  }
}
