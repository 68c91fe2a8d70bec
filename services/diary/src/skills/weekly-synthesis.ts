import { randomUUID } from 'node:crypto';
import type { SkillContext } from '@forge/agent-kit';
import { weekdayOf } from '@forge/zoned-time';
import { z } from 'zod';
import type { DiaryRuntime } from '../diary-deps.js';
import { addDays, lastWeekMonday, localRange } from '../memory/periods.js';
import { LESSON_COUNT, synthesizeLessons } from './synthesize-lessons.js';

export const WeeklySynthesisInput = z.object({
  /** The Monday of the week to synthesise (local date); default: last week. */
  weekStart: z.iso
    .date()
    .refine((d) => weekdayOf(d) === 0, 'must be a Monday')
    .optional(),
  focus: z.string().trim().min(1).max(300).default('running the company and its agents better next week'),
});

export const WeeklySynthesisOutput = z.object({
  weekStart: z.iso.date(),
  entryId: z.uuid().nullable(),
  created: z.boolean(),
  observations: z.number().int().nonnegative(),
  lessons: z.array(
    z.object({
      title: z.string(),
      lesson: z.string(),
      evidence: z.array(z.string()),
      confidence: z.number(),
    }),
  ),
  /** Why no lessons were drawn, when none were. */
  skipped: z.string().nullable(),
  model: z.string().nullable(),
});
export type WeeklySynthesisOutput = z.infer<typeof WeeklySynthesisOutput>;

/**
 * The week's synthesis (frontier): its observations and nightly entries into three durable
 * lessons, each citing its evidence, stored once per week and searchable for recall. A week with
 * fewer than three observations is skipped (nothing durable to learn), without a model call.
 */
export async function weeklySynthesis(
  input: z.output<typeof WeeklySynthesisInput>,
  ctx: Pick<SkillContext, 'models' | 'signal' | 'task' | 'emit'>,
  runtime: DiaryRuntime,
): Promise<WeeklySynthesisOutput> {
  const { diary, day } = runtime.get();
  const tz = day.diary.timeZone;
  const weekStart = input.weekStart ?? lastWeekMonday(new Date(), tz);
  const existing = await diary.entry('weekly', weekStart);
  if (existing) {
    const lessons = (await diary.recall('', 50)).filter((l) => l.entryId === existing.id);
    return {
      weekStart,
      entryId: existing.id,
      created: false,
      observations: existing.observations,
      lessons: lessons.map((l) => ({
        title: l.title,
        lesson: l.lesson,
        evidence: l.evidence,
        confidence: l.confidence,
      })),
      skipped: null,
      model: existing.model,
    };
  }
  const { from, to } = localRange(weekStart, addDays(weekStart, 7), tz);
  const observations = await diary.observations({ from, to, limit: 190 });
  const entries = await diary.entries('nightly', weekStart, addDays(weekStart, 7));
  const material = [
    ...observations.map((o) => ({ id: o.id, at: o.at, agent: o.agent, text: o.text })),
    ...entries.map((e) => ({
      id: e.id,
      at: `${e.periodStart}T23:59:00Z`,
      agent: 'diary',
      text: e.body.slice(0, 2000),
    })),
  ].slice(0, 200);
  if (material.length < LESSON_COUNT) {
    return {
      weekStart,
      entryId: null,
      created: false,
      observations: observations.length,
      lessons: [],
      skipped: `${material.length} observations in the week of ${weekStart}; ${LESSON_COUNT} are needed`,
      model: null,
    };
  }
  const out = await synthesizeLessons({ observations: material, focus: input.focus }, ctx);
  const body = out.lessons.map((l, i) => `${i + 1}. ${l.title}: ${l.lesson}`).join('\n');
  const { entry, created } = await diary.saveEntry({
    id: randomUUID(),
    kind: 'weekly',
    periodStart: weekStart,
    periodEnd: addDays(weekStart, 6),
    body,
    observations: observations.length,
    model: out.model,
    taskId: ctx.task.id,
  });
  if (created) {
    await diary.saveLessons(
      entry.id,
      out.lessons.map((l) => ({ id: randomUUID(), ...l })),
    );
    await ctx.emit('lessons-learned', { weekStart, titles: out.lessons.map((l) => l.title) });
  }
  return {
    weekStart,
    entryId: entry.id,
    created,
    observations: observations.length,
    lessons: out.lessons,
    skipped: null,
    model: out.model,
  };
}

/** `diary.weekly-synthesis`: the week's observations into three durable lessons (frontier). */
export function weeklySynthesisSkill(runtime: DiaryRuntime) {
  return {
    id: 'weekly-synthesis',
    name: 'Weekly synthesis',
    description:
      "Distils the week's agent observations and nightly entries into three durable lessons with their evidence, " +
      'stored once per week and recalled into other agents’ prompts.',
    tags: ['diary', 'memory', 'synthesis'],
    examples: ['{"weekStart":"2026-11-23"}'],
    tier: 'frontier' as const,
    input: WeeklySynthesisInput,
    output: WeeklySynthesisOutput,
    handler: (input: z.output<typeof WeeklySynthesisInput>, ctx: SkillContext) =>
      weeklySynthesis(input, ctx, runtime),
  };
}
