import { scriptedModelClient } from '@forge/testkit';
import { describe, expect, it } from 'vitest';
import {
  LESSONS_SYSTEM_PROMPT,
  SynthesizeLessonsInput,
  synthesizeLessons,
  synthesizeLessonsSkill,
} from './synthesize-lessons.js';

const FRONTIER = { tier: 'frontier' } as const;

const signal = new AbortController().signal;
const INPUT = SynthesizeLessonsInput.parse({
  observations: [
    {
      id: 'obs-1',
      agent: 'scout',
      at: '2025-06-09T10:00:00Z',
      text: 'Scoring 300 headlines on Haiku cost $0.04.',
    },
    { agent: 'diary', text: 'Room 4 VPD drifted high every afternoon when lights peaked.' },
    { id: 'obs-3', text: 'A reply draft on Opus took 18 s; Sonnet took 4 s with the same approval rate.' },
    { text: 'Compliance review caught a METRC transfer reported after 24 hours.' },
  ],
  focus: 'cost and reliability',
});

const lesson = (title: string, evidence: number[]) => ({
  title,
  lesson: `${title}.`,
  evidence,
  confidence: 0.8,
});

describe('diary.synthesize-lessons', () => {
  it('numbers observations as delimited material with their metadata and asks for lessons', async () => {
    const { models, requests } = scriptedModelClient(
      {
        output: { lessons: [lesson('A', [1]), lesson('B', [2]), lesson('C', [3, 4])] },
      },
      FRONTIER,
    );
    await synthesizeLessons(INPUT, { models, signal });
    const request = requests[0]!;
    expect(request).toMatchObject({
      purpose: 'summarize',
      stable: [{ name: 'instructions', role: 'system', text: LESSONS_SYSTEM_PROMPT }],
      output: { name: 'lessons' },
    });
    expect(request.messages[0]!.content.split('\n')).toEqual([
      '<observation n="1" at="2025-06-09T10:00:00Z" agent="scout">Scoring 300 headlines on Haiku cost $0.04.</observation>',
      '<observation n="2" agent="diary">Room 4 VPD drifted high every afternoon when lights peaked.</observation>',
      '<observation n="3">A reply draft on Opus took 18 s; Sonnet took 4 s with the same approval rate.</observation>',
      '<observation n="4">Compliance review caught a METRC transfer reported after 24 hours.</observation>',
      'Focus: cost and reliability',
    ]);
    const schema = request.output!.jsonSchema as {
      properties: { lessons: { minItems: number; maxItems: number } };
    };
    expect(schema.properties.lessons).toMatchObject({ minItems: 3, maxItems: 3 });
  });

  it('maps evidence to observation ids (or #n), de-duplicated and sorted, and counts uncited ones', async () => {
    const { models } = scriptedModelClient(
      {
        output: {
          lessons: [
            lesson('Route by task', [3, 1, 3]),
            lesson('Watch afternoon VPD', [2]),
            lesson('Keep review frontier', [3]),
          ],
        },
      },
      FRONTIER,
    );
    const out = await synthesizeLessons(INPUT, { models, signal });
    expect(out.lessons.map((l) => l.evidence)).toEqual([['obs-1', 'obs-3'], ['#2'], ['obs-3']]);
    expect(out.uncited).toBe(1);
    expect(out.model).toBe('fake:frontier-1');
    expect(synthesizeLessonsSkill.output.parse(out)).toEqual(out);
  });

  it.each([
    [
      [lesson('A', [1]), lesson('B', [9]), lesson('C', [2])],
      'lessons.1.evidence cites 9 but there are 4 observations',
    ],
    [[lesson('Same', [1]), lesson('same', [2]), lesson('C', [3])], 'lessons.1.title repeats "same"'],
    [[lesson('A', [1]), lesson('B', [2])], 'lessons.lessons: Too small'],
  ])('rejects lessons that cite missing observations, repeat, or miscount (%#)', async (lessons, message) => {
    const { models } = scriptedModelClient({ output: { lessons } }, FRONTIER);
    await expect(synthesizeLessons(INPUT, { models, signal })).rejects.toMatchObject({
      code: 'PROVIDER_ERROR',
    });
    await expect(synthesizeLessons(INPUT, { models, signal })).rejects.toThrow(message);
  });

  it('is declared frontier and needs at least three observations', () => {
    expect(synthesizeLessonsSkill).toMatchObject({ id: 'synthesize-lessons', tier: 'frontier' });
    expect(() => SynthesizeLessonsInput.parse({ observations: [{ text: 'one' }, { text: 'two' }] })).toThrow(
      /observations/,
    );
  });
});
