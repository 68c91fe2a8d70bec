import { addDays, isValidTimeZone, weekdayOf } from '@forge/zoned-time';
import { z } from 'zod';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export const WEEKDAY_NAMES = [
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
  'Sunday',
] as const;
export const Weekday = z.enum(WEEKDAYS);

const Id = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'must be kebab-case, 1-40 characters');
const IsoDate = z.iso.date();
const ClockTime = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM');

/** Placeholders a brief template may use. */
export const BRIEF_PLACEHOLDERS = ['theme', 'format', 'channel', 'weekday', 'date', 'time'] as const;

/** Post formats per channel when the input names none; rotated through in order. */
export const DEFAULT_FORMATS: Record<string, string[]> = {
  x: ['take', 'thread'],
  threads: ['take'],
  bluesky: ['take'],
  instagram: ['photo', 'carousel', 'reel'],
  tiktok: ['video'],
  linkedin: ['post', 'article'],
  facebook: ['post'],
  blog: ['article'],
  email: ['newsletter'],
};

function uniqueBy<T>(
  items: readonly T[],
  key: (item: T) => string,
  path: string,
  ctx: z.RefinementCtx,
): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const k = key(item);
    if (seen.has(k)) ctx.addIssue({ code: 'custom', path: [path, i], message: `duplicate "${k}"` });
    seen.add(k);
  });
}

export const PlanWeekInput = z
  .object({
    /** The Monday the week starts on (local date). */
    weekStart: IsoDate.refine((d) => weekdayOf(d) === 0, 'must be a Monday'),
    timeZone: z
      .string()
      .refine(isValidTimeZone, 'must be an IANA time zone such as America/Denver')
      .default('UTC'),
    channels: z
      .array(
        z.object({
          channel: Id,
          postsPerWeek: z.number().int().min(0).max(35),
          days: z.array(Weekday).min(1).max(7).default(['mon', 'tue', 'wed', 'thu', 'fri']),
          /** Posting times on a day, earliest first after sorting; a second post on a day takes the second time. */
          times: z.array(ClockTime).min(1).max(5).default(['10:00']),
          formats: z.array(z.string().trim().min(1).max(40)).min(1).max(10).optional(),
        }),
      )
      .min(1)
      .max(12),
    themes: z
      .array(
        z.object({
          id: Id,
          label: z.string().trim().min(1).max(100).optional(),
          /** Relative share of posts (1-10). */
          weight: z.number().int().min(1).max(10).default(1),
          /** Channels this theme may go to; all when absent. */
          channels: z.array(Id).min(1).optional(),
        }),
      )
      .min(1)
      .max(30),
    /** The template's fixed slots (e.g. Friday is grow-diary day); they count toward postsPerWeek. */
    pinned: z
      .array(z.object({ day: Weekday, channel: Id, theme: Id, time: ClockTime.optional() }))
      .max(50)
      .default([]),
    /** Dates in the week with no posts (holidays). */
    skipDates: z.array(IsoDate).max(7).default([]),
    briefTemplate: z
      .string()
      .min(1)
      .max(500)
      .refine(
        (t) =>
          [...t.matchAll(/\{(\w+)\}/g)].every((m) =>
            (BRIEF_PLACEHOLDERS as readonly string[]).includes(m[1]!),
          ),
        `may only use the placeholders ${BRIEF_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}`,
      )
      .default('{weekday}: {format} on {channel} about {theme}'),
  })
  .superRefine((input, ctx) => {
    uniqueBy(input.channels, (c) => c.channel, 'channels', ctx);
    uniqueBy(input.themes, (t) => t.id, 'themes', ctx);
    const channels = new Set(input.channels.map((c) => c.channel));
    const themes = new Map(input.themes.map((t) => [t.id, t]));
    for (const [i, t] of input.themes.entries()) {
      for (const [j, c] of (t.channels ?? []).entries()) {
        if (!channels.has(c))
          ctx.addIssue({
            code: 'custom',
            path: ['themes', i, 'channels', j],
            message: `unknown channel "${c}"`,
          });
      }
    }
    input.pinned.forEach((p, i) => {
      const theme = themes.get(p.theme);
      if (!channels.has(p.channel))
        ctx.addIssue({
          code: 'custom',
          path: ['pinned', i, 'channel'],
          message: `unknown channel "${p.channel}"`,
        });
      if (!theme)
        ctx.addIssue({ code: 'custom', path: ['pinned', i, 'theme'], message: `unknown theme "${p.theme}"` });
      else if (theme.channels && !theme.channels.includes(p.channel)) {
        ctx.addIssue({
          code: 'custom',
          path: ['pinned', i, 'theme'],
          message: `theme "${p.theme}" is not for ${p.channel}`,
        });
      }
    });
    const weekEnd = addDays(input.weekStart, 6);
    input.skipDates.forEach((d, i) => {
      if (d < input.weekStart || d > weekEnd) {
        ctx.addIssue({
          code: 'custom',
          path: ['skipDates', i],
          message: `must be within ${input.weekStart}..${weekEnd}`,
        });
      }
    });
    input.channels.forEach((c, i) => {
      if (c.postsPerWeek > 0 && !input.themes.some((t) => !t.channels || t.channels.includes(c.channel))) {
        ctx.addIssue({
          code: 'custom',
          path: ['channels', i, 'channel'],
          message: `no theme may go to ${c.channel}`,
        });
      }
    });
  });
export type PlanWeekInput = z.input<typeof PlanWeekInput>;
export type PlanWeekParsed = z.output<typeof PlanWeekInput>;
