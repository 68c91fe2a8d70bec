import { addDays, zonedToUtc } from '@forge/zoned-time';
import { DEFAULT_FORMATS, type PlanWeekParsed, WEEKDAY_NAMES, WEEKDAYS } from './plan-input.js';

export interface CalendarEntry {
  /** `<date>.<channel>.<HHMM>`: unique and stable for the same input. */
  id: string;
  date: string;
  weekday: (typeof WEEKDAYS)[number];
  /** Local wall-clock time in the plan's zone. */
  time: string;
  /** The same moment, UTC. */
  at: string;
  channel: string;
  theme: string;
  format: string;
  brief: string;
  pinned: boolean;
}

export interface Unfilled {
  channel: string;
  wanted: number;
  placed: number;
  reason: string;
}

interface Slot {
  day: number;
  time: string;
  channel: string;
  channelIndex: number;
  theme?: string;
  pinned: boolean;
}

/** `n` of `count` positions spread evenly (centres of n equal parts): 3 of 5 is 0, 2, 4. */
function spread(count: number, n: number): number[] {
  return Array.from({ length: n }, (_, k) => Math.floor(((k + 0.5) * count) / n));
}

function placeChannel(
  input: PlanWeekParsed,
  channelIndex: number,
  dates: string[],
  unfilled: Unfilled[],
): Slot[] {
  const c = input.channels[channelIndex]!;
  const skip = new Set(input.skipDates);
  const times = [...new Set(c.times)].sort();
  const days = WEEKDAYS.map((_, i) => i).filter((i) => c.days.includes(WEEKDAYS[i]!) && !skip.has(dates[i]!));
  const slots: Slot[] = [];
  const occupied = new Set<string>();
  for (const p of input.pinned.filter((pin) => pin.channel === c.channel)) {
    const day = WEEKDAYS.indexOf(p.day);
    const time = p.time ?? times[0]!;
    if (skip.has(dates[day]!) || occupied.has(`${day}@${time}`)) continue;
    occupied.add(`${day}@${time}`);
    slots.push({ day, time, channel: c.channel, channelIndex, theme: p.theme, pinned: true });
  }
  let remaining = Math.max(0, c.postsPerWeek - slots.length);
  for (const time of times) {
    if (remaining === 0) break;
    const free = days.filter((d) => !occupied.has(`${d}@${time}`));
    const n = Math.min(remaining, free.length);
    for (const index of spread(free.length, n)) {
      const day = free[index]!;
      occupied.add(`${day}@${time}`);
      slots.push({ day, time, channel: c.channel, channelIndex, pinned: false });
    }
    remaining -= n;
  }
  if (remaining > 0) {
    const placed = c.postsPerWeek - remaining;
    unfilled.push({
      channel: c.channel,
      wanted: c.postsPerWeek,
      placed,
      reason: `only ${placed} free slots (${days.length} open days × ${times.length} times)`,
    });
  }
  return slots;
}

/**
 * Themes by smooth weighted round-robin over the slots in time order (pinned slots charged
 * first): each theme's share follows its weight, only themes allowed on the slot's channel compete, and a theme already on that
 * day is passed over while another is available. Ties go to the theme listed first.
 */
function assignThemes(input: PlanWeekParsed, slots: Slot[]): void {
  const current = new Map(input.themes.map((t) => [t.id, 0]));
  const usedOnDay = new Map<number, Set<string>>();
  for (const s of slots)
    if (s.theme) (usedOnDay.get(s.day) ?? usedOnDay.set(s.day, new Set()).get(s.day)!).add(s.theme);
  const eligibleFor = (slot: Slot) =>
    input.themes.filter((t) => !t.channels || t.channels.includes(slot.channel));
  const charge = (eligible: PlanWeekParsed['themes'], chosen: string) => {
    for (const t of eligible) current.set(t.id, current.get(t.id)! + t.weight);
    current.set(chosen, current.get(chosen)! - eligible.reduce((sum, t) => sum + t.weight, 0));
  };
  // Pinned slots take their theme's turn first, so the free slots balance around them.
  for (const slot of slots) if (slot.theme) charge(eligibleFor(slot), slot.theme);
  for (const slot of slots) {
    if (slot.theme) continue;
    const eligible = eligibleFor(slot);
    const used = usedOnDay.get(slot.day) ?? usedOnDay.set(slot.day, new Set()).get(slot.day)!;
    const fresh = eligible.filter((t) => !used.has(t.id));
    const pool = fresh.length > 0 ? fresh : eligible;
    // Highest credit after this round's weights are added; the first listed wins a tie.
    const score = (t: (typeof pool)[number]) => current.get(t.id)! + t.weight;
    const chosen = pool.reduce((best, t) => (score(t) > score(best) ? t : best));
    charge(eligible, chosen.id);
    used.add(chosen.id);
    slot.theme = chosen.id;
  }
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}

/**
 * Fills a week's content calendar: per channel, its pinned template slots first, then the rest
 * of its weekly cadence spread evenly over its open days (a second post on a day takes the next
 * time); themes by weight; formats rotated per channel; a brief from the template. The same
 * input always gives the same plan. Cadence that does not fit is reported in `unfilled`.
 */
export function planCalendar(input: PlanWeekParsed): { entries: CalendarEntry[]; unfilled: Unfilled[] } {
  const dates = WEEKDAYS.map((_, i) => addDays(input.weekStart, i));
  const unfilled: Unfilled[] = [];
  const slots = input.channels
    .flatMap((_, i) => placeChannel(input, i, dates, unfilled))
    .sort((a, b) => a.day - b.day || a.time.localeCompare(b.time) || a.channelIndex - b.channelIndex);
  assignThemes(input, slots);
  const labels = new Map(input.themes.map((t) => [t.id, t.label ?? t.id]));
  const formatIndex = new Map<string, number>();
  const entries = slots.map((slot): CalendarEntry => {
    const channel = input.channels[slot.channelIndex]!;
    const formats = channel.formats ?? DEFAULT_FORMATS[slot.channel] ?? ['post'];
    const k = formatIndex.get(slot.channel) ?? 0;
    formatIndex.set(slot.channel, k + 1);
    const format = formats[k % formats.length]!;
    const date = dates[slot.day]!;
    const theme = slot.theme!;
    const brief = fill(input.briefTemplate, {
      theme: labels.get(theme)!,
      format,
      channel: slot.channel,
      weekday: WEEKDAY_NAMES[slot.day]!,
      date,
      time: slot.time,
    });
    return {
      id: `${date}.${slot.channel}.${slot.time.replace(':', '')}`,
      date,
      weekday: WEEKDAYS[slot.day]!,
      time: slot.time,
      at: zonedToUtc(date, slot.time, input.timeZone).toISOString(),
      channel: slot.channel,
      theme,
      format,
      brief,
      pinned: slot.pinned,
    };
  });
  return { entries, unfilled };
}
