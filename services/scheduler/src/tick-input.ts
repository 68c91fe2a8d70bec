import { ForgeError } from '@forge/contracts';
import { linkedSignal } from '@forge/service-runtime';
import { addDays, LocalDates } from '@forge/zoned-time';
import type { Schedule } from './schedules-config.js';

const TOKEN = /\{\{tick\.(iso|date)([+-]\d{1,4}d)?\}\}/g;

/** Replaces `{{tick.iso}}`, `{{tick.date}}` and `{{tick.date±Nd}}` in every string of `value`. */
export function fillTickTokens(value: unknown, tickAt: Date, timeZone: string): unknown {
  if (typeof value === 'string') {
    return value.replace(TOKEN, (_all, kind: string, shift: string | undefined) => {
      if (kind === 'iso') return tickAt.toISOString();
      const date = new LocalDates(timeZone).of(tickAt.getTime());
      return shift ? addDays(date, Number(shift.slice(0, -1))) : date;
    });
  }
  if (Array.isArray(value)) return value.map((v) => fillTickTokens(v, tickAt, timeZone));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, fillTickTokens(v, tickAt, timeZone)]),
    );
  return value;
}

/** Largest input source answer accepted. */
const MAX_SOURCE_BYTES = 4_000_000;
const SOURCE_TIMEOUT_MS = 10_000;

export type HttpGet = (
  url: string,
  signal: AbortSignal,
) => Promise<{ status: number; text(): Promise<string> }>;

const defaultGet: HttpGet = (url, signal) => fetch(url, { signal, headers: { accept: 'application/json' } });

/**
 * The task input of one tick: the schedule's `input` with its tick tokens filled, joined to what its
 * `inputFrom` source answers (the schedule's own fields win). A source that fails is BAD_INPUT
 * naming the source and the reason (the run is recorded `failed-input`, not retried).
 */
export async function buildTickInput(
  schedule: Schedule,
  tickAt: Date,
  opts: { get?: HttpGet; signal?: AbortSignal } = {},
): Promise<Record<string, unknown>> {
  const own = fillTickTokens(schedule.input, tickAt, schedule.timeZone) as Record<string, unknown>;
  const source = schedule.inputFrom?.sensorReadings;
  if (!source) return own;
  const url = new URL(source.url);
  url.searchParams.set('minutes', String(source.minutes));
  url.searchParams.set('step', String(source.stepMinutes));
  const deadline = linkedSignal(opts.signal ? [opts.signal] : [], {
    ms: SOURCE_TIMEOUT_MS,
    reason: () => new Error(`no answer within ${SOURCE_TIMEOUT_MS} ms`),
  });
  let answer: unknown;
  try {
    const res = await (opts.get ?? defaultGet)(url.toString(), deadline.signal);
    if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    const text = await res.text();
    if (text.length > MAX_SOURCE_BYTES) throw new Error(`answer over ${MAX_SOURCE_BYTES} bytes`);
    answer = JSON.parse(text);
  } catch (error) {
    throw new ForgeError(
      'BAD_INPUT',
      `inputFrom.sensorReadings ${url.origin}${url.pathname}: ${(error as Error).message}`,
      {
        retryable: false,
        cause: error,
      },
    );
  } finally {
    deadline.dispose();
  }
  if (
    answer === null ||
    typeof answer !== 'object' ||
    !Array.isArray((answer as { readings?: unknown }).readings)
  ) {
    throw new ForgeError(
      'BAD_INPUT',
      `inputFrom.sensorReadings ${url.origin}${url.pathname}: the answer has no readings list`,
      {
        retryable: false,
      },
    );
  }
  return { ...(answer as Record<string, unknown>), ...own };
}
