import { z } from 'zod';
import { PlanWeekInput, WEEKDAYS } from '../calendar/plan-input.js';
import { planCalendar } from '../calendar/planner.js';

export { PlanWeekInput } from '../calendar/plan-input.js';

export const PlanWeekOutput = z.object({
  weekStart: z.iso.date(),
  timeZone: z.string(),
  /** In time order; within one time, in the order the channels were given. */
  entries: z.array(
    z.object({
      id: z.string(),
      date: z.iso.date(),
      weekday: z.enum(WEEKDAYS),
      time: z.string(),
      at: z.iso.datetime(),
      channel: z.string(),
      theme: z.string(),
      format: z.string(),
      brief: z.string(),
      pinned: z.boolean(),
    }),
  ),
  perChannel: z.record(z.string(), z.number().int().nonnegative()),
  perTheme: z.record(z.string(), z.number().int().nonnegative()),
  /** Channels whose cadence did not fit their open slots. */
  unfilled: z.array(
    z.object({ channel: z.string(), wanted: z.number().int(), placed: z.number().int(), reason: z.string() }),
  ),
});
export type PlanWeekOutput = z.infer<typeof PlanWeekOutput>;

function countBy<T>(
  items: readonly T[],
  key: (item: T) => string,
  keys: readonly string[],
): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(keys.map((k) => [k, 0]));
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

/** Fills the week's content calendar deterministically (see `planCalendar`). */
export function planWeek(rawInput: z.input<typeof PlanWeekInput>): PlanWeekOutput {
  const input = PlanWeekInput.parse(rawInput);
  const { entries, unfilled } = planCalendar(input);
  return {
    weekStart: input.weekStart,
    timeZone: input.timeZone,
    entries,
    perChannel: countBy(
      entries,
      (e) => e.channel,
      input.channels.map((c) => c.channel),
    ),
    perTheme: countBy(
      entries,
      (e) => e.theme,
      input.themes.map((t) => t.id),
    ),
    unfilled,
  };
}

/** `marketing.plan-week`: a week's content calendar from a template and cadence. Plain code, $0. */
export const planWeekSkill = {
  id: 'plan-week',
  name: 'Plan week',
  description:
    'Fills a weekly content calendar from channels (cadence, days, times), weighted themes and pinned ' +
    'template slots: evenly spread, theme-balanced, with a brief per post. Deterministic.',
  tags: ['calendar', 'planning', 'marketing'],
  examples: [
    '{"weekStart": "2025-06-09", "timeZone": "America/Denver", "channels": [{"channel": "x", "postsPerWeek": 3}], "themes": [{"id": "routing", "weight": 2}, {"id": "grow-room"}]}',
  ],
  tier: 'tool' as const,
  input: PlanWeekInput,
  output: PlanWeekOutput,
  handler: async (input: z.output<typeof PlanWeekInput>): Promise<PlanWeekOutput> => planWeek(input),
};
