import { describeIssues, ForgeError, InboundMentions, SeedToSaleRecords } from '@forge/contracts';
import { linkedSignal } from '@forge/service-runtime';
import { addDays, LocalDates } from '@forge/zoned-time';
import { z } from 'zod';
import type { InputFrom, Schedule } from './schedules-config.js';

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

/** What one tick gives its task: the input, or why there is nothing to do (no task is made). */
export type TickInput = { input: Record<string, unknown> } | { nothing: string };

const SensorAnswer = z.looseObject({ readings: z.array(z.unknown()) });

interface Source {
  kind: keyof InputFrom;
  url: URL;
  /** Validates the answer and turns it into the fields that join the input, or null for "nothing". */
  read(answer: unknown): Record<string, unknown> | null;
}

/**
 * The minutes of a mentions window ending at `tickAt`: from the previous run's tick `since` when
 * there is one (at most `maxMinutes`), else the schedule's `minutes`.
 */
export function mentionsWindowMinutes(
  from: NonNullable<InputFrom['mentions']>,
  tickAt: Date,
  since: Date | null,
): number {
  if (!since) return from.minutes;
  const minutes = Math.ceil((tickAt.getTime() - since.getTime()) / 60_000);
  return Math.min(Math.max(minutes, 1), from.maxMinutes);
}

function sourceOf(from: InputFrom, tickAt: Date, since: Date | null): Source | null {
  if (from.sensorReadings) {
    const url = new URL(from.sensorReadings.url);
    url.searchParams.set('minutes', String(from.sensorReadings.minutes));
    url.searchParams.set('step', String(from.sensorReadings.stepMinutes));
    return { kind: 'sensorReadings', url, read: (a) => parse(SensorAnswer, a) };
  }
  if (from.seedToSaleRecords) {
    return {
      kind: 'seedToSaleRecords',
      url: new URL(from.seedToSaleRecords.url),
      read: (a) => ({ records: parse(SeedToSaleRecords, a) }),
    };
  }
  if (from.mentions) {
    const url = new URL(from.mentions.url);
    url.searchParams.set('minutes', String(mentionsWindowMinutes(from.mentions, tickAt, since)));
    // The window ends at the tick, not at the moment of the request, and starts at the previous
    // run's tick: consecutive runs tile the day, across the night and ticks never run.
    url.searchParams.set('until', tickAt.toISOString());
    return {
      kind: 'mentions',
      url,
      read: (a) => {
        const { mentions } = parse(InboundMentions, a);
        return mentions.length > 0 ? { mentions } : null;
      },
    };
  }
  return null;
}

/** Parses a source's answer; the error names every bad field (`packages.2.quantity: ...`). */
function parse<S extends z.ZodType>(schema: S, answer: unknown): z.output<S> {
  const parsed = schema.safeParse(answer);
  if (parsed.success) return parsed.data;
  const issues = describeIssues(parsed.error);
  throw new Error(
    `the answer is not valid: ${issues.slice(0, 10).join('; ')}${issues.length > 10 ? ` (and ${issues.length - 10} more)` : ''}`,
  );
}

/**
 * The task input of one tick: the schedule's `input` with its tick tokens filled, joined to what its
 * `inputFrom` source answers (the schedule's own fields win). A source that fails, or answers
 * something its schema refuses, is BAD_INPUT naming the source, the field and the reason (the run
 * is recorded `failed-input`, not retried); a mentions source with no mention in its window gives
 * `{ nothing }` (recorded `skipped-no-input`).
 */
export async function buildTickInput(
  schedule: Schedule,
  tickAt: Date,
  opts: {
    get?: HttpGet;
    signal?: AbortSignal;
    /** The tick of the schedule's previous run whose window was fetched (mentions start there). */
    since?: Date | null;
  } = {},
): Promise<TickInput> {
  const own = fillTickTokens(schedule.input, tickAt, schedule.timeZone) as Record<string, unknown>;
  const source = schedule.inputFrom ? sourceOf(schedule.inputFrom, tickAt, opts.since ?? null) : null;
  if (!source) return { input: own };
  const { url } = source;
  const where = `inputFrom.${source.kind} ${url.origin}${url.pathname}`;
  const deadline = linkedSignal(opts.signal ? [opts.signal] : [], {
    ms: SOURCE_TIMEOUT_MS,
    reason: () => new Error(`no answer within ${SOURCE_TIMEOUT_MS} ms`),
  });
  let joined: Record<string, unknown> | null;
  try {
    const res = await (opts.get ?? defaultGet)(url.toString(), deadline.signal);
    if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    const text = await res.text();
    if (text.length > MAX_SOURCE_BYTES) throw new Error(`answer over ${MAX_SOURCE_BYTES} bytes`);
    joined = source.read(JSON.parse(text));
  } catch (error) {
    throw new ForgeError('BAD_INPUT', `${where}: ${(error as Error).message}`, {
      retryable: false,
      cause: error,
    });
  } finally {
    deadline.dispose();
  }
  if (joined === null) return { nothing: `${where}: nothing in the window` };
  return { input: { ...joined, ...own } };
}
