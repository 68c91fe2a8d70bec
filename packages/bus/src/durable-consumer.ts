import { ForgeError } from '@forge/contracts';
import type { Logger } from '@forge/telemetry';
import {
  AckPolicy,
  type ConsumerConfig,
  type ConsumerInfo,
  DeliverPolicy,
  JetStreamApiCodes,
  type JetStreamManager,
  ReplayPolicy,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { ConsumeSettings } from './consume-spec.js';
import { isApiError } from './streams.js';

/**
 * The server-side ack-pending limit. The client already bounds what one replica holds to its
 * concurrency; the server's limit is shared by every replica of the durable and also counts
 * messages waiting out a nak delay, so it is set well above one replica's concurrency.
 */
export function maxAckPending(concurrency: number): number {
  return Math.max(1000, concurrency * 10);
}

type ManagedConsumerConfig = Pick<
  ConsumerConfig,
  | 'durable_name'
  | 'filter_subject'
  | 'ack_policy'
  | 'deliver_policy'
  | 'replay_policy'
  | 'ack_wait'
  | 'max_deliver'
  | 'max_ack_pending'
>;

/**
 * A durable pull consumer's config. `max_deliver` is unlimited: the bus dead-letters by delivery
 * count itself, so the server never drops a message silently.
 */
export function durableConsumerConfig(settings: ConsumeSettings): ManagedConsumerConfig {
  return {
    durable_name: settings.durable,
    filter_subject: settings.filterSubject,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    replay_policy: ReplayPolicy.Instant,
    ack_wait: nanos(settings.ackWaitMs),
    max_deliver: -1,
    max_ack_pending: maxAckPending(settings.concurrency),
  };
}

/** Settings an update cannot change (NATS 2.9 also refuses a new filter subject). */
const FIXED: ReadonlyArray<keyof ManagedConsumerConfig> = ['ack_policy', 'deliver_policy', 'filter_subject'];
const UPDATABLE: ReadonlyArray<keyof ManagedConsumerConfig> = ['ack_wait', 'max_deliver', 'max_ack_pending'];

async function consumerInfo(
  jsm: JetStreamManager,
  stream: string,
  durable: string,
): Promise<ConsumerInfo | null> {
  try {
    return await jsm.consumers.info(stream, durable);
  } catch (error) {
    if (isApiError(error, JetStreamApiCodes.ConsumerNotFound)) return null;
    if (isApiError(error, JetStreamApiCodes.StreamNotFound)) {
      throw new ForgeError('BAD_CONFIG', `stream ${stream} does not exist (call ensureStreams first)`, {
        retryable: false,
        cause: error,
      });
    }
    throw error;
  }
}

/**
 * Creates the durable consumer, or updates the settings that drifted. Safe when several
 * replicas start at once: identical creates are idempotent on the server, and a create that
 * loses a race with a different config falls back to comparing and updating.
 */
export async function ensureDurableConsumer(
  jsm: JetStreamManager,
  settings: ConsumeSettings,
  logger: Logger,
): Promise<void> {
  const wanted = durableConsumerConfig(settings);
  const where = `consumer ${settings.durable} on ${settings.stream}`;
  for (let attempt = 0; attempt < 3; attempt++) {
    const info = await consumerInfo(jsm, settings.stream, settings.durable);
    if (!info) {
      try {
        await jsm.consumers.add(settings.stream, { ...wanted });
        logger.info({ stream: settings.stream, durable: settings.durable }, 'consumer created');
        return;
      } catch (error) {
        if ((await consumerInfo(jsm, settings.stream, settings.durable)) !== null) continue;
        throw new ForgeError('BAD_CONFIG', `cannot create ${where}: ${String(error)}`, { cause: error });
      }
    }
    const drift = [...FIXED, ...UPDATABLE].filter((key) => info.config[key] !== wanted[key]);
    if (drift.length === 0) return;
    const fixed = drift.filter((key) => FIXED.includes(key));
    if (fixed.length > 0) {
      throw new ForgeError(
        'BAD_CONFIG',
        `${where} exists with different ${fixed.join(', ')}; delete it or use another durable name`,
        { retryable: false },
      );
    }
    const update: Partial<ManagedConsumerConfig> = {};
    for (const key of drift) Object.assign(update, { [key]: wanted[key] });
    await jsm.consumers.update(settings.stream, settings.durable, update);
    logger.info({ stream: settings.stream, durable: settings.durable, changed: drift }, 'consumer updated');
    return;
  }
  throw new ForgeError('UNAVAILABLE', `${where} kept changing while being ensured`);
}
