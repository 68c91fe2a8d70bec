import { createHash } from 'node:crypto';
import { formatLocal, WallClock } from '@forge/zoned-time';
import { z } from 'zod';
import { compileWindow, inWindow, PostingWindow } from '../schedule/posting-window.js';

const MINUTE = 60_000;
/** Candidates are tried every 5 minutes UTC; every zone's offset is a multiple of 15 minutes. */
const STEP = 5 * MINUTE;

export const SchedulePostInput = z.object({
  channel: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,39}$/, 'must be a kebab-case channel id such as x or instagram'),
  /** The post's text (or a stable rendering of it); part of the idempotency key. */
  content: z.string().min(1).max(100_000),
  windows: z.array(PostingWindow).min(1).max(20),
  /** Slots already taken on this channel. */
  booked: z
    .array(z.iso.datetime({ offset: true }))
    .max(10_000)
    .default([]),
  /** No two posts on the channel closer than this. */
  minSpacingMinutes: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 60)
    .default(60),
  /** Earliest acceptable slot; the later of this and now is used. */
  notBefore: z.iso.datetime({ offset: true }).optional(),
  /** How far ahead to look (a quarter at most: posting windows are planned weeks ahead, not years). */
  horizonDays: z.number().int().min(1).max(92).default(14),
  /** Slots fall on wall-clock multiples of this many minutes (15: :00, :15, :30, :45). */
  slotMinutes: z
    .union([z.literal(5), z.literal(10), z.literal(15), z.literal(20), z.literal(30), z.literal(60)])
    .default(15),
});
export type SchedulePostInput = z.input<typeof SchedulePostInput>;

export const SchedulePostOutput = z.discriminatedUnion('found', [
  z.object({
    found: z.literal(true),
    /** The slot, UTC. */
    slot: z.iso.datetime(),
    /** The same instant as wall-clock time with offset in the window's zone. */
    local: z.string(),
    timeZone: z.string(),
    /** Which of the input windows the slot fell in. */
    windowIndex: z.number().int().nonnegative(),
    /** SHA-256 (hex) of the normalized content. */
    contentHash: z.string().length(64),
    /** SHA-256 (hex) of channel, content hash and slot: publish with it so a retry posts once. */
    idempotencyKey: z.string().length(64),
  }),
  z.object({
    found: z.literal(false),
    reason: z.string(),
    /** The end of the search, UTC. */
    searchedUntil: z.iso.datetime(),
  }),
]);
export type SchedulePostOutput = z.infer<typeof SchedulePostOutput>;

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Content as it is hashed: NFC, LF line ends, trimmed; formatting noise does not change the key. */
export function contentHash(content: string): string {
  return sha256(content.normalize('NFC').replace(/\r\n?/g, '\n').trim());
}

/** The key a publish carries: the same channel, content and slot always give the same key. */
export function postIdempotencyKey(channel: string, content: string, slotIso: string): string {
  return sha256(`forge.publisher.v1\n${channel}\n${contentHash(content)}\n${slotIso}`);
}

/** Index of the first element of sorted `values` that is >= `target`. */
function lowerBound(values: readonly number[], target: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The first slot at or after max(now, notBefore) that lies in one of the windows (wall-clock
 * time in each window's zone, so DST is the tz database's, via Intl), on a wall-clock multiple of
 * `slotMinutes`, and at least `minSpacingMinutes` from every booked slot (never on one). Local
 * times that a spring-forward skips never match; times a fall-back repeats are two distinct
 * instants. Pure given `now`.
 */
export function schedulePost(rawInput: SchedulePostInput, now: Date): SchedulePostOutput {
  const input = SchedulePostInput.parse(rawInput);
  const earliest = Math.max(now.getTime(), input.notBefore ? Date.parse(input.notBefore) : 0);
  const first = Math.ceil(earliest / STEP) * STEP;
  const until = first + input.horizonDays * 24 * 60 * MINUTE;
  const booked = input.booked.map((b) => Date.parse(b)).sort((a, b) => a - b);
  const spacing = Math.max(input.minSpacingMinutes * MINUTE, MINUTE);
  // One wall clock per distinct zone, read once per candidate instant for all its windows.
  const zones = [...new Set(input.windows.map((w) => w.timeZone))];
  const clocks = zones.map((zone) => new WallClock(zone));
  const zoneOf = input.windows.map((w) => zones.indexOf(w.timeZone));
  const compiled = input.windows.map(compileWindow);

  for (let t = first; t < until; t += STEP) {
    const next = lowerBound(booked, t);
    const after = booked[next];
    const before = booked[next - 1];
    const clashEnd = Math.max(
      before !== undefined && t - before < spacing ? before + spacing : 0,
      after !== undefined && after - t < spacing ? after + spacing : 0,
    );
    if (clashEnd > 0) {
      // Jump past the clash rather than stepping through it; the loop adds one STEP.
      t = Math.ceil(clashEnd / STEP) * STEP - STEP;
      continue;
    }
    const walls = clocks.map((clock) => clock.at(t));
    for (const [windowIndex, window] of input.windows.entries()) {
      const wall = walls[zoneOf[windowIndex]!]!;
      if (wall.minuteOfDay % input.slotMinutes !== 0 || !inWindow(compiled[windowIndex]!, wall)) continue;
      const slot = new Date(t).toISOString();
      return {
        found: true,
        slot,
        local: formatLocal(t, wall.offsetMinutes),
        timeZone: window.timeZone,
        windowIndex,
        contentHash: contentHash(input.content),
        idempotencyKey: postIdempotencyKey(input.channel, input.content, slot),
      };
    }
  }
  return {
    found: false,
    reason: `no free ${input.slotMinutes}-minute slot in the windows within ${input.horizonDays} days with ${input.minSpacingMinutes} minutes spacing`,
    searchedUntil: new Date(until).toISOString(),
  };
}

/** `publisher.schedule-post`: the next free posting slot and the post's idempotency key. Plain code, $0. */
export const schedulePostSkill = {
  id: 'schedule-post',
  name: 'Schedule post',
  description:
    "Finds the next free slot in a channel's posting windows (time zone aware, DST-correct), keeping " +
    'a minimum spacing from booked slots, and returns the idempotency key that makes a retried publish happen once.',
  tags: ['schedule', 'publish', 'idempotency'],
  examples: [
    '{"channel": "x", "content": "Routing is the system.", "windows": [{"timeZone": "America/Denver", "days": ["mon", "wed", "fri"], "start": "09:00", "end": "17:00"}], "minSpacingMinutes": 60}',
  ],
  tier: 'tool' as const,
  input: SchedulePostInput,
  output: SchedulePostOutput,
  handler: async (input: z.output<typeof SchedulePostInput>): Promise<SchedulePostOutput> =>
    schedulePost(input, new Date()),
};
