import { parseOrThrow } from '@forge/contracts';
import { scriptedModelClient } from '@forge/testkit';
import { describe, expect, it } from 'vitest';
import { ScoreHeadlinesInput, scoreHeadlines, scoreHeadlinesSkill } from './score-headlines.js';

const SMALL = { tier: 'small' } as const;

const signal = new AbortController().signal;
const INPUT = ScoreHeadlinesInput.parse({
  headlines: [
    { id: 'a', title: 'METRC adds transfer checks', source: 'news.example' },
    { id: 'b', title: 'Celebrity gossip roundup', summary: 'Nothing to see.' },
    { id: 'c', title: 'Agents cut support costs 80%' },
  ],
});

const score = (id: string, relevance: number, topics: string[] = [], confidence = 0.9) => ({
  id,
  relevance,
  topics,
  take: relevance > 0.5 ? 'a take' : null,
  confidence,
});

describe('scout.score-headlines', () => {
  it('sends a classify request with the rubric and each headline as delimited material', async () => {
    const { models, requests } = scriptedModelClient(
      {
        output: {
          scores: [score('a', 0.9, ['cannabis-operations']), score('b', 0), score('c', 0.9, ['ai-agents'])],
        },
      },
      SMALL,
    );
    await scoreHeadlines(INPUT, { models, signal });
    const request = requests[0]!;
    expect(request).toMatchObject({ purpose: 'classify', temperature: 0, maxTokens: 560 });
    expect(request.system).toContain('- cannabis-operations: Running a licensed cannabis business');
    expect(request.system).toContain('- operator-leverage:');
    expect(request.messages[0]!.content).toBe(
      '<headline id="a" source="news.example">\nMETRC adds transfer checks\n</headline>\n' +
        '<headline id="b">\nCelebrity gossip roundup\nNothing to see.\n</headline>\n' +
        '<headline id="c">\nAgents cut support costs 80%\n</headline>',
    );
    const schema = request.output!.jsonSchema as {
      properties: { scores: { items: { required: string[] } } };
    };
    expect(schema.properties.scores.items.required).toContain('confidence');
  });

  it('returns scores in input order, selected by relevance (ties by input order) and low-confidence ids', async () => {
    const { models } = scriptedModelClient(
      {
        output: {
          scores: [
            score('c', 0.8, ['ai-agents']),
            score('b', 0.1, [], 0.3),
            score('a', 0.8, ['cannabis-operations']),
          ],
        },
      },
      SMALL,
    );
    const out = await scoreHeadlines(INPUT, { models, signal });
    expect(out.scores.map((s) => s.id)).toEqual(['a', 'b', 'c']);
    expect(out.selected).toEqual(['a', 'c']);
    expect(out.lowConfidence).toEqual(['b']);
    expect(scoreHeadlinesSkill.output.parse(out)).toEqual(out);
  });

  it.each([
    [[score('a', 0.5), score('b', 0.5)], 'ids not scored "c"'],
    [[score('a', 0.5), score('b', 0.5), score('c', 0.5), score('z', 0.5)], 'unknown ids "z"'],
    [[score('a', 0.5), score('a', 0.5), score('b', 0.5), score('c', 0.5)], 'id "a" scored twice'],
    [
      [score('a', 0.5, ['sports']), score('b', 0.5), score('c', 0.5)],
      'id "a" names topics not in the rubric: sports',
    ],
    [[{ ...score('a', 1.5) }, score('b', 0.5), score('c', 0.5)], 'headline_scores.scores.0.relevance'],
  ])(
    'rejects a reply that does not score each headline once with rubric topics (%#)',
    async (scores, message) => {
      const { models } = scriptedModelClient({ output: { scores } }, SMALL);
      await expect(scoreHeadlines(INPUT, { models, signal })).rejects.toMatchObject({
        code: 'PROVIDER_ERROR',
      });
      await expect(scoreHeadlines(INPUT, { models, signal })).rejects.toThrow(message);
    },
  );

  it('is declared small tier and validates input naming the field', () => {
    expect(scoreHeadlinesSkill).toMatchObject({ id: 'score-headlines', tier: 'small' });
    expect(() => ScoreHeadlinesInput.parse({ headlines: [] })).toThrow(/headlines/);
    const twice = {
      headlines: [
        { id: 'x', title: 'one' },
        { id: 'x', title: 'two' },
      ],
    };
    expect(() => parseOrThrow(ScoreHeadlinesInput, twice, 'input')).toThrow(
      'headlines.1.id: duplicate id "x"',
    );
  });
});
