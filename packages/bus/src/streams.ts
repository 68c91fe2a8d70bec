import { ForgeError, type ForgeSubjects } from '@forge/contracts';
import type { Logger } from '@forge/telemetry';
import {
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
  type StreamInfo,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The duplicate window of the brain's streams: a `msgId` repeated within it is stored once. */
export const DUPLICATE_WINDOW_MS = 2 * 60 * 1000;
/** How long dead letters are kept for someone to look at them. */
export const DEAD_LETTER_MAX_AGE_MS = 30 * DAY_MS;
/** How long agent events are kept for the diary and console. */
export const EVENTS_MAX_AGE_MS = 7 * DAY_MS;

/** The settings Forge manages on a stream; everything else is left at the server's defaults. */
export type ManagedStreamConfig = Pick<
  StreamConfig,
  'name' | 'subjects' | 'retention' | 'storage' | 'discard' | 'duplicate_window' | 'max_age' | 'num_replicas'
>;

/**
 * The brain's three streams. Only settings that NATS 2.9 knows are used (no metadata,
 * compression, subject transforms or first_seq), so the same code runs on 2.9 and current servers.
 */
export function brainStreamConfigs(subjects: ForgeSubjects): ManagedStreamConfig[] {
  const { tasks, deadLetter, events } = subjects.streams;
  const base = { storage: StorageType.File, discard: DiscardPolicy.Old, num_replicas: 1 } as const;
  return [
    {
      ...base,
      name: tasks.name,
      subjects: [...tasks.subjects],
      // Work queue: a message leaves the stream when acked, and each subject has one consumer.
      retention: RetentionPolicy.Workqueue,
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
      max_age: 0,
    },
    {
      ...base,
      name: deadLetter.name,
      subjects: [...deadLetter.subjects],
      retention: RetentionPolicy.Limits,
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
      max_age: nanos(DEAD_LETTER_MAX_AGE_MS),
    },
    {
      ...base,
      name: events.name,
      subjects: [...events.subjects],
      retention: RetentionPolicy.Limits,
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
      max_age: nanos(EVENTS_MAX_AGE_MS),
    },
  ];
}

/** Settings the server refuses to change on an existing stream. */
const FIXED: ReadonlyArray<keyof ManagedStreamConfig> = ['retention', 'storage'];
const UPDATABLE: ReadonlyArray<keyof ManagedStreamConfig> = [
  'subjects',
  'discard',
  'duplicate_window',
  'max_age',
];

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');
  }
  return a === b;
}

/** The managed settings in which `actual` differs from `wanted`. */
export function streamDrift(
  wanted: ManagedStreamConfig,
  actual: StreamConfig,
): Array<keyof ManagedStreamConfig> {
  return [...FIXED, ...UPDATABLE].filter((key) => !sameValue(wanted[key], actual[key]));
}

export function isApiError(error: unknown, code: number): boolean {
  return error instanceof JetStreamApiError && error.code === code;
}

async function streamInfo(jsm: JetStreamManager, name: string): Promise<StreamInfo | null> {
  try {
    return await jsm.streams.info(name);
  } catch (error) {
    if (isApiError(error, JetStreamApiCodes.StreamNotFound)) return null;
    throw error;
  }
}

/**
 * Creates the stream, or updates the managed settings that drifted. Safe when two processes do it
 * at once: a create that loses the race falls back to comparing and updating.
 */
export async function ensureStream(
  jsm: JetStreamManager,
  wanted: ManagedStreamConfig,
  logger: Logger,
): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const info = await streamInfo(jsm, wanted.name);
    if (!info) {
      try {
        await jsm.streams.add({ ...wanted });
        logger.info({ stream: wanted.name }, 'stream created');
        return;
      } catch (error) {
        // Another process created it between our info and add: compare and update instead.
        if ((await streamInfo(jsm, wanted.name)) !== null) continue;
        throw error;
      }
    }
    const drift = streamDrift(wanted, info.config);
    if (drift.length === 0) return;
    const fixed = drift.filter((key) => FIXED.includes(key));
    if (fixed.length > 0) {
      throw new ForgeError(
        'BAD_CONFIG',
        `stream ${wanted.name} exists with different ${fixed.join(', ')} (${fixed
          .map((key) => `${key}: ${String(info.config[key])}, wanted ${String(wanted[key])}`)
          .join('; ')}); the server cannot change that in place: delete the stream or rename the brain`,
        { retryable: false },
      );
    }
    const update: Partial<ManagedStreamConfig> = {};
    for (const key of drift) Object.assign(update, { [key]: wanted[key] });
    await jsm.streams.update(wanted.name, update);
    logger.info({ stream: wanted.name, changed: drift }, 'stream updated');
    return;
  }
  throw new ForgeError('UNAVAILABLE', `stream ${wanted.name} kept changing while being ensured`);
}
