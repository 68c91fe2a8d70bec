import { z } from 'zod';
import type { DiaryRuntime } from '../diary-deps.js';

export const RecallInput = z.object({
  /** What the lessons should be relevant to, e.g. a story's title. Empty: the newest lessons. */
  query: z.string().max(2000).default(''),
  limit: z.number().int().min(1).max(20).default(3),
});

export const RecallOutput = z.object({
  lessons: z.array(
    z.object({
      title: z.string(),
      lesson: z.string(),
      evidence: z.array(z.string()),
      confidence: z.number(),
      rank: z.number(),
      createdAt: z.string(),
    }),
  ),
});

/** `diary.recall`: durable lessons relevant to a text (Postgres full-text search), for prompts. $0. */
export function recallSkill(runtime: DiaryRuntime) {
  return {
    id: 'recall',
    name: 'Recall lessons',
    description:
      'Finds the durable lessons relevant to a text with Postgres full-text search, best first, for an agent to put ' +
      'into its prompt.',
    tags: ['diary', 'memory', 'search'],
    examples: ['{"query":"METRC transfer manifest reporting","limit":3}'],
    tier: 'tool' as const,
    input: RecallInput,
    output: RecallOutput,
    handler: async (input: z.output<typeof RecallInput>) => ({
      lessons: (await runtime.get().diary.recall(input.query, input.limit)).map((l) => ({
        title: l.title,
        lesson: l.lesson,
        evidence: l.evidence,
        confidence: l.confidence,
        rank: l.rank,
        createdAt: l.createdAt,
      })),
    }),
  };
}
