import { FORGE_METRICS, forgeMeter } from '@forge/telemetry';
import type { JetStreamManager } from '@nats-io/jetstream';
import type { Attributes, Counter, ObservableCallback } from '@opentelemetry/api';

/**
 * The metrics of one durable consumer: `forge.messages.dead_lettered` (by durable and code) and
 * `forge.consumer.lag`, the messages the server holds for the durable that no replica was given
 * yet (`num_pending`), read from the server at each collection. Every replica of a consumer
 * reports the same lag: take the max per durable, not the sum.
 */
export class ConsumerMetrics {
  readonly #attributes: Attributes;
  readonly #deadLettered: Counter;
  readonly #jsm: JetStreamManager;
  readonly #stream: string;
  readonly #durable: string;
  #unobserve: (() => void) | undefined;

  constructor(jsm: JetStreamManager, stream: string, durable: string) {
    this.#jsm = jsm;
    this.#stream = stream;
    this.#durable = durable;
    this.#attributes = { 'messaging.destination.name': stream, 'messaging.consumer.group.name': durable };
    const { deadLettered } = FORGE_METRICS;
    this.#deadLettered = forgeMeter('bus').createCounter(deadLettered.name, {
      unit: deadLettered.unit,
      description: deadLettered.description,
    });
  }

  /** One message moved to the dead-letter stream, with the code that sent it there. */
  deadLettered(code: string): void {
    this.#deadLettered.add(1, { ...this.#attributes, 'error.type': code });
  }

  /** Starts reporting the lag (idempotent); `stop` ends it. */
  observeLag(): void {
    if (this.#unobserve) return;
    const { consumerLag } = FORGE_METRICS;
    const gauge = forgeMeter('bus').createObservableGauge(consumerLag.name, {
      unit: consumerLag.unit,
      description: consumerLag.description,
    });
    const callback: ObservableCallback = async (result) => {
      try {
        const info = await this.#jsm.consumers.info(this.#stream, this.#durable);
        result.observe(info.num_pending, this.#attributes);
      } catch {
        // Disconnected or the consumer is gone: no value is better than a wrong one.
      }
    };
    gauge.addCallback(callback);
    this.#unobserve = () => gauge.removeCallback(callback);
  }

  stop(): void {
    this.#unobserve?.();
    this.#unobserve = undefined;
  }
}
